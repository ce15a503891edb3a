using System.Net;
using System.Net.Http.Json;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>The per-account login backoff holds against many guesses sent at once.</summary>
[Collection(AppHostCollection.Name)]
public sealed class LoginThrottleTests(AppHostFixture system)
{
    // Auth:LoginRateLimit:FreeFailuresPerAccount's default: the fifth failed login in a row blocks the account.
    private const int FreeFailures = 5;

    // Below the per-client, per-username window (10 a minute), so every guess reaches the per-account backoff.
    private const int ConcurrentGuesses = 8;

    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());

    [Fact]
    public async Task Concurrent_wrong_password_logins_for_one_account_check_no_more_passwords_than_the_free_failures()
    {
        var username = "p" + Guid.NewGuid().ToString("N")[..12];
        var password = "correct-horse-" + Guid.NewGuid().ToString("N")[..6];
        Assert.Equal(HttpStatusCode.Created, (await _api.Http.PostAsJsonAsync("/api/auth/register", new { username, password, displayName = "Throttled Patient" })).StatusCode);

        var answers = await Task.WhenAll(Enumerable.Range(0, ConcurrentGuesses).Select(i =>
            _api.Http.PostAsJsonAsync("/api/auth/login", new { username, password = $"wrong-guess-{i}" })));

        var checkedPasswords = answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized);
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(ConcurrentGuesses, checkedPasswords + refused.Count);
        Assert.InRange(checkedPasswords, 1, FreeFailures);
        Assert.NotEmpty(refused);
        AssertNonEmpty.All(refused, r => Assert.True(r.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a 429 without Retry-After"));
    }
}
