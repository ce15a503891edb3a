using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Aws.Topology;
using static HealthFlow.Aws.ReadModels.DynamoItems;

namespace HealthFlow.Aws.ReadModels;

/// <summary>
/// The `login-throttle` table (auth-api only): consecutive failed logins per account, shared by every
/// auth-api task, so the backoff holds with N tasks and from any number of client addresses. Item layout:
/// <code>
/// account       S  key: the normalised username (also for names no account has, so a 429 reveals nothing)
/// failures      N  consecutive failures since the last success
/// blockedUntil  N  Unix seconds; no attempt is checked before then
/// expiresAt     N  Unix seconds; TTL, a day after the last failure
/// </code>
/// </summary>
public sealed class LoginThrottleStore(IAmazonDynamoDB dynamo, TimeProvider timeProvider)
{
    private static readonly string TableName = HealthFlowTopology.Tables.LoginThrottle.Name;

    /// <summary>How long the account must still wait, or null when an attempt may be checked now.</summary>
    public async Task<TimeSpan?> BlockedForAsync(string account, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = TableName,
            Key = new() { ["account"] = S(account) },
            ProjectionExpression = "blockedUntil",
            ConsistentRead = true,
        }, cancellationToken);
        if (response.Item?.GetValueOrDefault("blockedUntil")?.N is not { } until)
        {
            return null;
        }

        var wait = DateTimeOffset.FromUnixTimeSeconds(long.Parse(until, CultureInfo.InvariantCulture)) - timeProvider.GetUtcNow();
        return wait > TimeSpan.Zero ? wait : null;
    }

    /// <summary>
    /// Counts a failure atomically (ADD, so racing tasks never lose one) and, from <paramref name="freeFailures"/>
    /// on, blocks the account for a backoff that doubles with each further failure, up to <paramref name="maxBackoff"/>.
    /// </summary>
    public async Task RecordFailureAsync(string account, int freeFailures, TimeSpan maxBackoff, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var counted = await dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = new() { ["account"] = S(account) },
            UpdateExpression = "ADD failures :one SET expiresAt = :expires",
            ExpressionAttributeValues = new()
            {
                [":one"] = N(1),
                [":expires"] = N((now + TimeSpan.FromDays(1)).ToUnixTimeSeconds()),
            },
            ReturnValues = ReturnValue.UPDATED_NEW,
        }, cancellationToken);
        var failures = long.Parse(counted.Attributes["failures"].N, CultureInfo.InvariantCulture);
        if (failures < freeFailures)
        {
            return;
        }

        var backoff = TimeSpan.FromSeconds(Math.Min(maxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures - freeFailures, 30))));
        await dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = new() { ["account"] = S(account) },
            UpdateExpression = "SET blockedUntil = :until",
            ExpressionAttributeValues = new() { [":until"] = N((now + backoff).ToUnixTimeSeconds() + 1) },
        }, cancellationToken);
    }

    /// <summary>A successful login starts the count again.</summary>
    public Task ResetAsync(string account, CancellationToken cancellationToken) =>
        dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = TableName, Key = new() { ["account"] = S(account) } }, cancellationToken);
}
