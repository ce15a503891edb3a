using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// Rotating auth-api's signing key logs nobody out: an auth-api started after a rotation (Jwt:SigningKey the
/// new key, Jwt:PreviousSigningKey the old one, as the CDK injects AWSCURRENT and AWSPREVIOUS) signs with the
/// new key and still accepts, and publishes, the old one.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class KeyRotationTests(AppHostFixture system)
{
    [Fact]
    public async Task After_a_rotation_tokens_signed_with_the_old_key_stay_valid_and_new_tokens_use_the_new_key()
    {
        using var oldKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var newKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var strangerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rotatedTask = ServiceProcess.StartAuthApiAsync(Settings(newKey.ExportPkcs8PrivateKeyPem(), oldKey.ExportPkcs8PrivateKeyPem()));
        var badPreviousTask = ServiceProcess.StartAuthApiAsync(Settings(newKey.ExportPkcs8PrivateKeyPem(), "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----"));
        await using var rotated = await rotatedTask;
        await using var badPrevious = await badPreviousTask;
        using var http = new HttpClient { BaseAddress = rotated.Url };

        // The JWKS publishes both keys, the new one first; a previous value that is no P-256 PEM is ignored.
        Assert.Equal([KeyId(newKey), KeyId(oldKey)], await KeyIdsAsync(rotated.Url));
        Assert.Equal([KeyId(newKey)], await KeyIdsAsync(badPrevious.Url));

        // A clinician's token signed before the rotation still works; one signed with a key never published does not.
        Assert.Equal(HttpStatusCode.OK, await StreamTicketStatusAsync(http, ClinicianToken(oldKey)));
        Assert.Equal(HttpStatusCode.Unauthorized, await StreamTicketStatusAsync(http, ClinicianToken(strangerKey)));

        // A token issued after the rotation is signed with the new key.
        var username = "rot" + Guid.NewGuid().ToString("N")[..10];
        var registered = await http.PostAsJsonAsync("/api/auth/register", new { username, password = "rotation-pass-1", displayName = "Rotation Patient" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var login = await http.PostAsJsonAsync("/api/auth/login", new { username, password = "rotation-pass-1" });
        var token = (await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
        Assert.Equal(KeyId(newKey), new JsonWebToken(token).Kid);
    }

    private Dictionary<string, string> Settings(string signingKey, string previousSigningKey) => new()
    {
        ["AWS_ENDPOINT_URL"] = system.AwsEndpointUrl.ToString(),
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ACCESS_KEY_ID"] = "test",
        ["AWS_SECRET_ACCESS_KEY"] = "test",
        ["Jwt__SigningKey"] = signingKey,
        ["Jwt__PreviousSigningKey"] = previousSigningKey,
    };

    private static async Task<HttpStatusCode> StreamTicketStatusAsync(HttpClient http, string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/alerts/stream-ticket");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<string[]> KeyIdsAsync(Uri authApi)
    {
        using var http = new HttpClient { BaseAddress = authApi };
        var jwks = await http.GetFromJsonAsync<JsonObject>("/.well-known/jwks.json");
        return [.. jwks!["keys"]!.AsArray().Select(k => k!["kid"]!.GetValue<string>())];
    }

    private static string ClinicianToken(ECDsa key) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "healthflow-auth",
        Audience = "healthflow-api",
        Expires = DateTime.UtcNow.AddMinutes(10),
        Claims = new Dictionary<string, object> { ["sub"] = "clinician-before-rotation", ["name"] = "Dr Before", ["role"] = "clinician" },
        SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key) { KeyId = KeyId(key) }, SecurityAlgorithms.EcdsaSha256),
    });

    private static string KeyId(ECDsa key) =>
        Base64UrlEncoder.Encode(JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(key)).ComputeJwkThumbprint());
}
