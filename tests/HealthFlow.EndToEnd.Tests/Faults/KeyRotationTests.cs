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
/// new key and still accepts, and publishes, the old one; and while old and new tasks run side by side behind one
/// name, as in ECS's rolling deployment, the validators accept tokens from both and answer no 401.
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

    [Fact]
    public async Task A_rolling_restart_of_auth_api_with_a_new_key_answers_no_401()
    {
        using var oldKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var newKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var strangerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        // Before: one auth-api task with the old key, behind its Service Connect name, and validators that know only that key.
        await using var authApi = await RoundRobinProxy.StartAsync();
        await using var oldTask = await ServiceProcess.StartAuthApiAsync(Settings(oldKey.ExportPkcs8PrivateKeyPem(), previousSigningKey: "", peers: authApi.Url));
        authApi.RouteTo(oldTask.Url);
        var queryApiTask = ServiceProcess.StartQueryApiAsync(ValidatorSettings("query-api", authApi.Url));
        await using var commandApi = await ServiceProcess.StartCommandApiAsync(ValidatorSettings("command-api", authApi.Url));
        await using var queryApi = await queryApiTask;
        var (patientId, username, password) = await RegisterPatientAsync(oldTask.Url);
        var oldToken = await LoginAsync(oldTask.Url, username, password);
        Assert.Equal(KeyId(oldKey), new JsonWebToken(oldToken).Kid);
        await AssertAcceptedAsync(queryApi, commandApi, patientId, oldToken);
        var oldClinicianToken = await LoginAsync(oldTask.Url, HealthFlowApi.DemoClinician, HealthFlowApi.DemoClinicianPassword);

        // The rotation's deployment starts a new task (the new key signs, the old one is its previous) beside the old one.
        // The first JWKS fetch after it joins goes to the old task, which does not know the new key.
        await using var newTask = await ServiceProcess.StartAuthApiAsync(Settings(newKey.ExportPkcs8PrivateKeyPem(), oldKey.ExportPkcs8PrivateKeyPem(), peers: authApi.Url));
        authApi.RouteTo(oldTask.Url, newTask.Url);
        var newToken = await LoginAsync(newTask.Url, username, password);
        var newClinicianToken = await LoginAsync(newTask.Url, HealthFlowApi.DemoClinician, HealthFlowApi.DemoClinicianPassword);
        Assert.Equal(KeyId(newKey), new JsonWebToken(newToken).Kid);
        for (var round = 0; round < 3; round++)
        {
            await AssertAcceptedAsync(queryApi, commandApi, patientId, newToken);
            await AssertAcceptedAsync(queryApi, commandApi, patientId, oldToken);
            // auth-api validates tokens itself (the stream ticket): each task takes the tokens the other one signed.
            foreach (var task in new[] { oldTask, newTask })
            {
                Assert.Equal(HttpStatusCode.OK, await StreamTicketStatusAsync(task.Url, newClinicianToken));
                Assert.Equal(HttpStatusCode.OK, await StreamTicketStatusAsync(task.Url, oldClinicianToken));
            }
        }

        // The old task stops; tokens it signed stay valid, since the new task publishes its key as the previous one.
        oldTask.Kill();
        authApi.RouteTo(newTask.Url);
        for (var round = 0; round < 3; round++)
        {
            await AssertAcceptedAsync(queryApi, commandApi, patientId, oldToken);
            await AssertAcceptedAsync(queryApi, commandApi, patientId, newToken);
            Assert.Equal(HttpStatusCode.OK, await StreamTicketStatusAsync(newTask.Url, oldClinicianToken));
        }

        // A key nobody publishes is still refused, and a flood of such tokens fetches the JWKS a bounded number of times.
        var before = authApi.Requests;
        var stranger = PatientToken(strangerKey, patientId, username);
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await PatientObservationsStatusAsync(queryApi.Url, patientId, stranger));
        }

        Assert.InRange(authApi.Requests - before, 1, 8);
    }

    private Dictionary<string, string> ValidatorSettings(string service, Uri authApi) => new()
    {
        ["AWS_ENDPOINT_URL"] = system.AwsEndpointUrl.ToString(),
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ACCESS_KEY_ID"] = service,
        ["AWS_SECRET_ACCESS_KEY"] = "local",
        ["Jwt__JwksUrl"] = new Uri(authApi, "/.well-known/jwks.json").ToString(),
    };

    private static async Task AssertAcceptedAsync(ServiceProcess queryApi, ServiceProcess commandApi, Guid patientId, string token)
    {
        Assert.Equal(HttpStatusCode.OK, await PatientObservationsStatusAsync(queryApi.Url, patientId, token));
        using var http = new HttpClient { BaseAddress = commandApi.Url };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/observations") { Content = JsonContent.Create(new { score = 2 }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static async Task<HttpStatusCode> PatientObservationsStatusAsync(Uri queryApi, Guid patientId, string token)
    {
        using var http = new HttpClient { BaseAddress = queryApi };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/patients/{patientId}/observations");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<(Guid PatientId, string Username, string Password)> RegisterPatientAsync(Uri authApi)
    {
        using var http = new HttpClient { BaseAddress = authApi };
        var username = "roll" + Guid.NewGuid().ToString("N")[..10];
        const string password = "rolling-pass-1";
        var registered = await http.PostAsJsonAsync("/api/auth/register", new { username, password, displayName = "Rolling Patient" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var login = await http.PostAsJsonAsync("/api/auth/login", new { username, password });
        var patientId = Guid.Parse((await login.Content.ReadFromJsonAsync<JsonObject>())!["patientId"]!.GetValue<string>());
        return (patientId, username, password);
    }

    private static async Task<string> LoginAsync(Uri authApi, string username, string password)
    {
        using var http = new HttpClient { BaseAddress = authApi };
        var login = await http.PostAsJsonAsync("/api/auth/login", new { username, password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return (await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
    }

    private static string PatientToken(ECDsa key, Guid patientId, string username) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "healthflow-auth",
        Audience = "healthflow-api",
        Expires = DateTime.UtcNow.AddMinutes(10),
        Claims = new Dictionary<string, object> { ["sub"] = username, ["name"] = "Rolling Patient", ["role"] = "patient", ["patient_id"] = patientId.ToString() },
        SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key) { KeyId = KeyId(key) }, SecurityAlgorithms.EcdsaSha256),
    });

    private Dictionary<string, string> Settings(string signingKey, string previousSigningKey, Uri? peers = null) => new()
    {
        // Its own JWKS behind its service name, where its peer tasks answer (as Service Connect's auth-api:8080 on AWS).
        ["Jwt__JwksUrl"] = peers is null ? "" : new Uri(peers, "/.well-known/jwks.json").ToString(),
        ["AWS_ENDPOINT_URL"] = system.AwsEndpointUrl.ToString(),
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ACCESS_KEY_ID"] = "test",
        ["AWS_SECRET_ACCESS_KEY"] = "test",
        ["Jwt__SigningKey"] = signingKey,
        ["Jwt__PreviousSigningKey"] = previousSigningKey,
    };

    private static async Task<HttpStatusCode> StreamTicketStatusAsync(Uri authApi, string accessToken)
    {
        using var http = new HttpClient { BaseAddress = authApi };
        return await StreamTicketStatusAsync(http, accessToken);
    }

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
