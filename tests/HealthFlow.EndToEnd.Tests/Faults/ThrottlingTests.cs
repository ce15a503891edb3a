using System.Net;
using System.Net.Http.Json;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>Login throttling holds across auth-api instances: the AppHost's, and a second one started here.</summary>
[Collection(AppHostCollection.Name)]
public sealed class ThrottlingTests(AppHostFixture system)
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());

    [Fact]
    public async Task Failed_logins_back_off_per_account_whichever_of_two_auth_api_instances_answers()
    {
        // The second instance sets the block (the fifth failure lands on it) and makes it ten minutes long: the two
        // logins after it are refused however slowly a loaded machine sends them, not only within the default second.
        var settings = Settings(registrationsPerClient: 100);
        settings["Auth__LoginRateLimit__FirstBackoffSeconds"] = "600";
        await using var second = await ServiceProcess.StartAuthApiAsync(settings);
        using var secondHttp = new HttpClient { BaseAddress = second.Url };
        var username = "thr" + Guid.NewGuid().ToString("N")[..10];
        const string password = "the-right-password";
        Assert.Equal(HttpStatusCode.Created, (await _api.Http.PostAsJsonAsync("/api/auth/register", new { username, password, displayName = "Throttled" })).StatusCode);

        // Five wrong passwords, alternating instances: each instance alone has seen too few to limit anything.
        for (var i = 0; i < 5; i++)
        {
            var http = i % 2 == 0 ? secondHttp : _api.Http;
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("/api/auth/login", new { username, password = "wrong-" + i })).StatusCode);
        }

        // Now the account waits, on both instances, even with the right password.
        foreach (var http in new[] { secondHttp, _api.Http })
        {
            var response = await http.PostAsJsonAsync("/api/auth/login", new { username, password });
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 carries Retry-After");
        }
    }

    [Fact]
    public async Task Registrations_are_limited_per_client_with_Retry_After()
    {
        await using var auth = await ServiceProcess.StartAuthApiAsync(Settings(registrationsPerClient: 2));
        using var http = new HttpClient { BaseAddress = auth.Url };

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            last = await http.PostAsJsonAsync("/api/auth/register", new { username = "reg" + Guid.NewGuid().ToString("N")[..10], password = "register-pass-1", displayName = "Limited" });
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], statuses);
        Assert.NotNull(last!.Headers.RetryAfter);
    }

    private Dictionary<string, string> Settings(int registrationsPerClient) => new()
    {
        ["AWS_ENDPOINT_URL"] = system.AwsEndpointUrl.ToString(),
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ACCESS_KEY_ID"] = "test",
        ["AWS_SECRET_ACCESS_KEY"] = "test",
        ["Auth__LoginRateLimit__RegisterPerIpPermitLimit"] = registrationsPerClient.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
