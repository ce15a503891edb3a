using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using HealthFlow.Api.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace HealthFlow.Api.Tests.Queries;

/// <summary>
/// An open alert stream discloses patient data for as long as it is open, so it lives no longer than the access
/// token that opened it. auth-api issues 60-minute tokens (`Jwt:LifetimeMinutes`, at least a minute), so the test runs
/// its own auth-api with a key it holds, signs a clinician token that expires in seconds, and points a query-api of
/// its own at that auth-api's JWKS.
/// </summary>
[Collection(ApiSystemCollection.Name)]
public sealed class StreamExpiryTests(ApiSystem system)
{
    private static readonly TimeSpan ShortLifetime = TimeSpan.FromSeconds(8);

    private const int StreamTicketLifetimeSeconds = 30;

    [Fact]
    public async Task A_stream_opened_with_a_token_ends_with_an_expired_event_when_the_token_expires()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var authApi = await system.StartAuthApiAsync(AuthApiSettings(key));
        await using var queryApi = await system.StartQueryApiAsync(QueryApiSettings(authApi.Url));
        var expiresAt = DateTimeOffset.UtcNow + ShortLifetime;
        var token = ClinicianToken(key, expiresAt);

        using var http = new HttpClient { BaseAddress = queryApi.Url, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/alerts/stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var (status, events, endedAt) = await ReadUntilEndAsync(http, request);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("event: expired", events.LastOrDefault());
        Assert.True(endedAt >= expiresAt.AddSeconds(-1), $"the stream ended at {endedAt:O}, before the token's expiry {expiresAt:O}");
    }

    [Fact]
    public async Task A_stream_opened_with_a_ticket_ends_when_the_access_token_behind_the_ticket_expires_not_with_the_ticket()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var authApi = await system.StartAuthApiAsync(AuthApiSettings(key));
        await using var queryApi = await system.StartQueryApiAsync(QueryApiSettings(authApi.Url));
        // Longer than the ticket's own 30 s, so a stream that ended with the ticket would end too early.
        var expiresAt = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(StreamTicketLifetimeSeconds + 10);
        var token = ClinicianToken(key, expiresAt);

        using var auth = new HttpClient { BaseAddress = authApi.Url };
        using var ticketRequest = new HttpRequestMessage(HttpMethod.Post, "/api/alerts/stream-ticket");
        ticketRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var issued = await auth.SendAsync(ticketRequest);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var ticket = (await issued.Content.ReadFromJsonAsync<JsonObject>())!["ticket"]!.GetValue<string>();

        // The ticket itself lives 30 s; the stream it opens ends with the access token, ten seconds later.
        using var http = new HttpClient { BaseAddress = queryApi.Url, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/alerts/stream?ticket={ticket}");
        var (status, events, endedAt) = await ReadUntilEndAsync(http, request);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("event: expired", events.LastOrDefault());
        Assert.True(endedAt >= expiresAt.AddSeconds(-1), $"the stream ended at {endedAt:O}, before the token's expiry {expiresAt:O}");
    }

    /// <summary>Reads the stream until the server ends it; a minute without an end fails the test.</summary>
    private static async Task<(HttpStatusCode Status, List<string> Events, DateTimeOffset EndedAt)> ReadUntilEndAsync(HttpClient http, HttpRequestMessage request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var events = new List<string>();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, events, DateTimeOffset.UtcNow);
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        try
        {
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    events.Add(line);
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The stream was still open a minute after it opened; events: {string.Join(" | ", events)}");
        }

        return (response.StatusCode, events, DateTimeOffset.UtcNow);
    }

    private static Dictionary<string, string?> AuthApiSettings(ECDsa key) => new()
    {
        ["Jwt:SigningKey"] = key.ExportPkcs8PrivateKeyPem(),
        ["Jwt:PreviousSigningKey"] = "",
    };

    private static Dictionary<string, string?> QueryApiSettings(Uri authApi) => new()
    {
        ["Jwt:JwksUrl"] = new Uri(authApi, "/.well-known/jwks.json").ToString(),
    };

    private static string ClinicianToken(ECDsa key, DateTimeOffset expiresAt) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "healthflow-auth",
        Audience = "healthflow-api",
        IssuedAt = DateTime.UtcNow,
        NotBefore = DateTime.UtcNow,
        Expires = expiresAt.UtcDateTime,
        Claims = new Dictionary<string, object>
        {
            ["sub"] = HealthFlowApi.DemoClinician,
            ["name"] = "Dr Short Token",
            ["role"] = "clinician",
            ["jti"] = Guid.NewGuid().ToString("N"),
        },
        SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key) { KeyId = KeyId(key) }, SecurityAlgorithms.EcdsaSha256),
    });

    private static string KeyId(ECDsa key) =>
        Base64UrlEncoder.Encode(JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(key)).ComputeJwkThumbprint());
}
