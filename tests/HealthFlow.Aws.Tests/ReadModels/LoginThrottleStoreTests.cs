using HealthFlow.Aws.Tests.Infrastructure;
using HealthFlow.ReadModels;
using Microsoft.Extensions.Time.Testing;

namespace HealthFlow.Aws.Tests.ReadModels;

/// <summary>
/// The per-account login backoff against LocalAws, with many auth-api tasks racing for one account. Time is the
/// tests' own clock, moved by hand, so no block expires or holds by how fast the machine happens to be.
/// </summary>
public sealed class LoginThrottleStoreTests(LocalAwsFixture aws) : IClassFixture<LocalAwsFixture>
{
    private const int FreeFailures = 5;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(15);

    [Fact]
    public async Task After_the_free_failures_each_further_failure_doubles_the_block_from_one_second_up_to_fifteen_minutes()
    {
        // A whole second, as the table stores blocks: each block then lasts exactly what it is meant to.
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var account = NewAccount();
        var store = new LoginThrottleStore(aws.Dynamo, clock);
        for (var i = 0; i < FreeFailures; i++)
        {
            Assert.IsType<LoginAttemptReservation.Reserved>(await store.ReserveAsync(account, FreeFailures, MaxBackoff, default));
        }

        // Each block is waited out on the test's clock; the next attempt fails again and earns the next block.
        var blocks = new List<TimeSpan>();
        for (var i = 0; i < 13; i++)
        {
            var blocked = Assert.IsType<LoginAttemptReservation.Blocked>(await store.ReserveAsync(account, FreeFailures, MaxBackoff, default));
            blocks.Add(blocked.RetryAfter);
            clock.Advance(blocked.RetryAfter - TimeSpan.FromSeconds(1));
            Assert.IsType<LoginAttemptReservation.Blocked>(await store.ReserveAsync(account, FreeFailures, MaxBackoff, default));
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.IsType<LoginAttemptReservation.Reserved>(await store.ReserveAsync(account, FreeFailures, MaxBackoff, default));
        }

        Assert.Equal(
            new[] { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900 }.Select(s => TimeSpan.FromSeconds(s)),
            blocks);
    }

    [Fact]
    public async Task A_longer_first_block_doubles_from_its_own_length_up_to_the_cap()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var account = NewAccount();
        var store = new LoginThrottleStore(aws.Dynamo, clock);
        var first = TimeSpan.FromMinutes(10);
        for (var i = 0; i < FreeFailures; i++)
        {
            Assert.IsType<LoginAttemptReservation.Reserved>(await store.ReserveAsync(account, FreeFailures, first, MaxBackoff, default));
        }

        var blocks = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            var blocked = Assert.IsType<LoginAttemptReservation.Blocked>(await store.ReserveAsync(account, FreeFailures, first, MaxBackoff, default));
            blocks.Add(blocked.RetryAfter);
            clock.Advance(blocked.RetryAfter);
            Assert.IsType<LoginAttemptReservation.Reserved>(await store.ReserveAsync(account, FreeFailures, first, MaxBackoff, default));
        }

        Assert.Equal([TimeSpan.FromMinutes(10), MaxBackoff, MaxBackoff], blocks);
    }

    [Fact]
    public async Task A_block_that_starts_within_a_second_lasts_at_least_its_backoff_and_less_than_a_second_more()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000).AddMilliseconds(300));
        var account = NewAccount();
        var store = new LoginThrottleStore(aws.Dynamo, clock);
        for (var i = 0; i < FreeFailures; i++)
        {
            await store.ReserveAsync(account, FreeFailures, MaxBackoff, default);
        }

        var first = Assert.IsType<LoginAttemptReservation.Blocked>(await store.ReserveAsync(account, FreeFailures, MaxBackoff, default));
        Assert.InRange(first.RetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
    }

    [Fact]
    public async Task A_success_after_the_longest_block_starts_again_with_the_free_failures_and_a_one_second_block()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var account = NewAccount();
        var store = new LoginThrottleStore(aws.Dynamo, clock);
        LoginAttemptReservation.Blocked? blocked = null;
        for (var i = 0; blocked?.RetryAfter != MaxBackoff && i < 40; i++)
        {
            blocked = await store.ReserveAsync(account, FreeFailures, MaxBackoff, default) as LoginAttemptReservation.Blocked;
            if (blocked is not null)
                clock.Advance(blocked.RetryAfter);
        }

        Assert.Equal(MaxBackoff, blocked?.RetryAfter);
        Assert.IsType<LoginAttemptReservation.Reserved>(await store.ReserveAsync(account, FreeFailures, MaxBackoff, default));
        await store.ResetAsync(account, default);

        for (var i = 0; i < FreeFailures; i++)
        {
            Assert.IsType<LoginAttemptReservation.Reserved>(await store.ReserveAsync(account, FreeFailures, MaxBackoff, default));
        }

        var again = Assert.IsType<LoginAttemptReservation.Blocked>(await store.ReserveAsync(account, FreeFailures, MaxBackoff, default));
        Assert.Equal(TimeSpan.FromSeconds(1), again.RetryAfter);
    }

    [Fact]
    public async Task Concurrent_attempts_on_one_account_get_no_more_password_checks_than_the_free_failures()
    {
        var clock = new HandClock();
        var account = NewAccount();

        // Twenty attempts at once, spread over four "tasks" (stores) as behind a load balancer.
        var stores = Enumerable.Range(0, 4).Select(_ => new LoginThrottleStore(aws.Dynamo, clock)).ToArray();
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => stores[i % stores.Length].ReserveAsync(account, FreeFailures, MaxBackoff, default)));

        Assert.Equal(FreeFailures, answers.Count(a => a is LoginAttemptReservation.Reserved));
        var blocked = answers.OfType<LoginAttemptReservation.Blocked>().ToList();
        Assert.Equal(20 - FreeFailures, blocked.Count);
        AssertNonEmpty.All(blocked, b => Assert.InRange(b.RetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task When_a_block_ends_one_of_many_concurrent_attempts_is_checked_and_earns_a_longer_block()
    {
        var clock = new HandClock();
        var account = NewAccount();
        var store = new LoginThrottleStore(aws.Dynamo, clock);
        for (var i = 0; i < FreeFailures; i++)
        {
            Assert.IsType<LoginAttemptReservation.Reserved>(await store.ReserveAsync(account, FreeFailures, MaxBackoff, default));
        }

        var first = Assert.IsType<LoginAttemptReservation.Blocked>(await store.ReserveAsync(account, FreeFailures, MaxBackoff, default));
        clock.Advance(first.RetryAfter);
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => new LoginThrottleStore(aws.Dynamo, clock).ReserveAsync(account, FreeFailures, MaxBackoff, default)));

        Assert.Single(answers, a => a is LoginAttemptReservation.Reserved);
        var next = answers.OfType<LoginAttemptReservation.Blocked>().ToList();
        Assert.Equal(9, next.Count);
        AssertNonEmpty.All(next, b => Assert.True(b.RetryAfter > first.RetryAfter, $"the next block ({b.RetryAfter}) is not longer than the first ({first.RetryAfter})"));
    }

    [Fact]
    public async Task A_task_whose_clock_is_behind_neither_shortens_nor_lifts_a_longer_block()
    {
        var clock = new HandClock();
        var account = NewAccount();
        var store = new LoginThrottleStore(aws.Dynamo, clock);
        // Nine failures, each after the previous block ended: the ninth blocks for 16 s.
        for (var i = 0; i < FreeFailures + 4; i++)
        {
            if (await store.ReserveAsync(account, FreeFailures, MaxBackoff, default) is LoginAttemptReservation.Blocked blocked)
            {
                clock.Advance(blocked.RetryAfter);
                Assert.IsType<LoginAttemptReservation.Reserved>(await store.ReserveAsync(account, FreeFailures, MaxBackoff, default));
            }
        }

        var longest = Assert.IsType<LoginAttemptReservation.Blocked>(await store.ReserveAsync(account, FreeFailures, MaxBackoff, default));
        Assert.True(longest.RetryAfter >= TimeSpan.FromSeconds(16), $"blocked for {longest.RetryAfter}");

        // A task whose clock is ten seconds behind, configured (mid-rollout) with a one-second cap: it must wait longer still.
        var behind = new LoginThrottleStore(aws.Dynamo, new HandClock(clock.GetUtcNow() - TimeSpan.FromSeconds(10)));
        var lagging = Assert.IsType<LoginAttemptReservation.Blocked>(await behind.ReserveAsync(account, FreeFailures, TimeSpan.FromSeconds(1), default));
        Assert.Equal(longest.RetryAfter + TimeSpan.FromSeconds(10), lagging.RetryAfter);

        // And the block every task sees is still the longer one.
        var after = Assert.IsType<LoginAttemptReservation.Blocked>(await store.ReserveAsync(account, FreeFailures, MaxBackoff, default));
        Assert.Equal(longest.RetryAfter, after.RetryAfter);
    }

    [Fact]
    public async Task A_success_clears_the_count_and_the_block()
    {
        var clock = new HandClock();
        var account = NewAccount();
        var store = new LoginThrottleStore(aws.Dynamo, clock);
        for (var i = 0; i < FreeFailures; i++)
        {
            await store.ReserveAsync(account, FreeFailures, MaxBackoff, default);
        }

        await store.ResetAsync(account, default);

        for (var i = 0; i < FreeFailures; i++)
        {
            Assert.IsType<LoginAttemptReservation.Reserved>(await store.ReserveAsync(account, FreeFailures, MaxBackoff, default));
        }
    }

    private static string NewAccount() => "throttle-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A clock that stands still until a test moves it; whole seconds, as the table stores them.</summary>
    private sealed class HandClock(DateTimeOffset? start = null) : TimeProvider
    {
        private DateTimeOffset _now = start ?? DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
