using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Topology;
using static HealthFlow.ReadModels.DynamoItems;

namespace HealthFlow.ReadModels;

/// <summary>What <see cref="LoginThrottleStore.ReserveAsync"/> decided about one login attempt.</summary>
public abstract record LoginAttemptReservation
{
    private LoginAttemptReservation() { }

    /// <summary>The attempt is counted as a failure already; the password may be checked now.</summary>
    public sealed record Reserved : LoginAttemptReservation;

    /// <summary>The account is blocked: no password is checked before <paramref name="RetryAfter"/> has passed.</summary>
    public sealed record Blocked(TimeSpan RetryAfter) : LoginAttemptReservation;
}

/// <summary>
/// The `login-throttle` table (auth-api only): consecutive failed logins per account, shared by every
/// auth-api task, so the backoff holds with N tasks and from any number of client addresses. Item layout:
/// <code>
/// account       S  key: the normalised username (also for names no account has, so a 429 reveals nothing)
/// failures      N  attempts reserved since the last success: each counts as a failure until it succeeds
/// blockedUntil  N  Unix seconds; no attempt is checked before then; it only ever moves forward
/// expiresAt     N  Unix seconds; TTL, a day after the last failure
/// </code>
/// An attempt is reserved before its password is checked, by a compare-and-set of `failures` that also sets the
/// block this attempt earns if it fails: concurrent logins of one account cannot all pass a check made before any
/// of them is counted, and a block, once set, is never replaced by a shorter one.
/// </summary>
public sealed class LoginThrottleStore(IAmazonDynamoDB dynamo, TimeProvider timeProvider)
{
    private static readonly string TableName = HealthFlowTopology.Tables.LoginThrottle.Name;

    // Each lost compare-and-set is another attempt's reservation, and only freeFailures of those happen before the
    // account is blocked; this bound is only reached under a reset storm, and then answers "wait a second".
    private const int MaxContendedTries = 16;

    /// <summary>
    /// Reserves one attempt of <paramref name="account"/>, counted as a failure until <see cref="ResetAsync"/>. The
    /// attempt that makes <paramref name="freeFailures"/> blocks the account for a second, and each further one for
    /// twice as long as the one before, up to <paramref name="maxBackoff"/>; that block is set with the reservation,
    /// before the password is checked, so no concurrent attempt gets past it.
    /// </summary>
    public Task<LoginAttemptReservation> ReserveAsync(string account, int freeFailures, TimeSpan maxBackoff, CancellationToken cancellationToken) =>
        ReserveAsync(account, freeFailures, TimeSpan.FromSeconds(1), maxBackoff, cancellationToken);

    /// <summary>As <see cref="ReserveAsync(string, int, TimeSpan, CancellationToken)"/>, with the first block <paramref name="firstBackoff"/> long.</summary>
    public async Task<LoginAttemptReservation> ReserveAsync(string account, int freeFailures, TimeSpan firstBackoff, TimeSpan maxBackoff, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxContendedTries; attempt++)
        {
            var now = timeProvider.GetUtcNow();
            var response = await dynamo.GetItemAsync(new GetItemRequest
            {
                TableName = TableName,
                Key = new() { ["account"] = S(account) },
                ProjectionExpression = "failures, blockedUntil",
                ConsistentRead = true,
            }, cancellationToken);
            var failures = Number(response.Item, "failures");
            var blockedUntil = Number(response.Item, "blockedUntil");
            if (blockedUntil is { } until && DateTimeOffset.FromUnixTimeSeconds(until) - now is var wait && wait > TimeSpan.Zero)
            {
                return new LoginAttemptReservation.Blocked(wait);
            }

            var next = (failures ?? 0) + 1;
            var values = new Dictionary<string, AttributeValue>
            {
                [":next"] = N(next),
                [":expires"] = N((now + TimeSpan.FromDays(1)).ToUnixTimeSeconds()),
            };
            var update = "SET failures = :next, expiresAt = :expires";
            var condition = failures is null ? "attribute_not_exists(failures)" : "failures = :seen";
            if (failures is { } counted)
            {
                values[":seen"] = N(counted);
            }

            if (next >= freeFailures)
            {
                var backoff = TimeSpan.FromSeconds(Math.Min(maxBackoff.TotalSeconds, firstBackoff.TotalSeconds * Math.Pow(2, Math.Min(next - freeFailures, 30))));
                var newUntil = Math.Max(blockedUntil ?? 0, UnixSecondsRoundedUp(now + backoff));
                update += ", blockedUntil = :until";
                condition += " AND (attribute_not_exists(blockedUntil) OR blockedUntil <= :until)";
                values[":until"] = N(newUntil);
            }

            try
            {
                await dynamo.UpdateItemAsync(new UpdateItemRequest
                {
                    TableName = TableName,
                    Key = new() { ["account"] = S(account) },
                    UpdateExpression = update,
                    ConditionExpression = condition,
                    ExpressionAttributeValues = values,
                }, cancellationToken);
                return new LoginAttemptReservation.Reserved();
            }
            catch (ConditionalCheckFailedException)
            {
                // Another attempt of this account was reserved (or it succeeded) since the read: decide again.
            }
        }

        return new LoginAttemptReservation.Blocked(TimeSpan.FromSeconds(1));
    }

    /// <summary>A successful login starts the count again.</summary>
    public Task ResetAsync(string account, CancellationToken cancellationToken) =>
        dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = TableName, Key = new() { ["account"] = S(account) } }, cancellationToken);

    // blockedUntil is in whole seconds; rounded up, a block lasts at least its backoff and less than a second more.
    private static long UnixSecondsRoundedUp(DateTimeOffset time)
    {
        var ticks = (time - DateTimeOffset.UnixEpoch).Ticks;
        return ticks / TimeSpan.TicksPerSecond + (ticks % TimeSpan.TicksPerSecond > 0 ? 1 : 0);
    }

    private static long? Number(Dictionary<string, AttributeValue>? item, string name) =>
        item?.GetValueOrDefault(name)?.N is { } n ? long.Parse(n, CultureInfo.InvariantCulture) : null;
}
