using System.Net;
using System.Net.Http.Json;
using HealthFlow.Api.Tests.Infrastructure;

namespace HealthFlow.Api.Tests.Auth;

/// <summary>The per-account login backoff holds against many guesses sent at once, and across auth-api tasks.</summary>
[Collection(ApiSystemCollection.Name)]
public sealed class LoginThrottleTests(ApiSystem system)
{
    // Auth:LoginRateLimit:FreeFailuresPerAccount's default: the fifth failed login in a row blocks the account.
    private const int FreeFailures = 5;

    // Below the per-client, per-username window (10 a minute), so every guess reaches the per-account backoff.
    private const int ConcurrentGuesses = 8;

    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());

    [Fact]
    public async Task Concurrent_wrong_password_logins_for_one_account_check_no_more_passwords_than_the_free_failures()
    {
        // An auth-api of the test's own whose first block lasts ten minutes: with the default second, a guess that a
        // loaded machine delivers after the block ended would be checked, and the count would measure the machine.
        await using var auth = await system.StartAuthApiAsync(new Dictionary<string, string?>
        {
            ["Auth:LoginRateLimit:FirstBackoffSeconds"] = "600",
        });
        using var http = ApiSystem.CreateClient(auth);
        var username = "p" + Guid.NewGuid().ToString("N")[..12];
        var password = "correct-horse-" + Guid.NewGuid().ToString("N")[..6];
        Assert.Equal(HttpStatusCode.Created, (await _api.Http.PostAsJsonAsync("/api/auth/register", new { username, password, displayName = "Throttled Patient" })).StatusCode);

        var answers = await Task.WhenAll(Enumerable.Range(0, ConcurrentGuesses).Select(i =>
            http.PostAsJsonAsync("/api/auth/login", new { username, password = $"wrong-guess-{i}" })));

        var checkedPasswords = answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized);
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(ConcurrentGuesses, checkedPasswords + refused.Count);
        Assert.Equal(FreeFailures, checkedPasswords);
        AssertNonEmpty.All(refused, r => Assert.True(r.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a 429 without Retry-After"));

        // The right password waits too: a block is not lifted by guessing well.
        var right = await http.PostAsJsonAsync("/api/auth/login", new { username, password });
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
    }

    [Fact]
    public async Task Wrong_passwords_spread_over_two_auth_api_tasks_block_the_account_on_both()
    {
        // Two tasks of their own with the same long first block (see above), as the ALB spreads one client's logins.
        var longBlock = new Dictionary<string, string?> { ["Auth:LoginRateLimit:FirstBackoffSeconds"] = "600" };
        await using var first = await system.StartAuthApiAsync(longBlock);
        await using var second = await system.StartAuthApiAsync(longBlock);
        using var toFirst = ApiSystem.CreateClient(first);
        using var toSecond = ApiSystem.CreateClient(second);
        HttpClient[] tasks = [toFirst, toSecond];
        var username = "p" + Guid.NewGuid().ToString("N")[..12];
        var password = "correct-horse-" + Guid.NewGuid().ToString("N")[..6];
        Assert.Equal(HttpStatusCode.Created, (await _api.Http.PostAsJsonAsync("/api/auth/register", new { username, password, displayName = "Throttled Patient" })).StatusCode);

        // One after another, alternating: each task alone sees fewer failures than the free ones.
        for (var i = 0; i < FreeFailures; i++)
        {
            var answer = await tasks[i % 2].PostAsJsonAsync("/api/auth/login", new { username, password = $"wrong-guess-{i}" });
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        }

        // The right password is refused by both: the block is the account's, not a task's.
        var rightOnEach = await Task.WhenAll(tasks.Select(http => http.PostAsJsonAsync("/api/auth/login", new { username, password })));
        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], rightOnEach.Select(r => r.StatusCode));
    }
}
