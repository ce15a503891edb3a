using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Topology;

namespace HealthFlow.EventStore;

/// <summary>
/// Time-limited ownership of a named thing (an outbox shard) through the `leases` table. Item layout:
/// <code>
/// name        S  partition key, e.g. "outbox/command-api/shard-2" (OutboxRelay.LeaseName)
/// owner       S  the holder's instance id
/// leaseUntil  N  Unix ms; past it, anyone may take the lease
/// </code>
/// Taking and renewing are one conditional UpdateItem, so of several instances exactly one holds a
/// lease at a time (up to clock skew, which NTP keeps far below the lease length).
/// </summary>
public sealed class Leases(IAmazonDynamoDB dynamo, TimeProvider timeProvider)
{
    private static readonly string Table = HealthFlowTopology.Tables.Leases.Name;

    /// <summary>This process's identity as a lease holder.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Takes the lease if it is free or expired, or renews it if this process holds it.</summary>
    /// <returns>True when this process holds it for <paramref name="duration"/> from now; false when another holder has it.</returns>
    public async Task<bool> TryAcquireAsync(string name, TimeSpan duration, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var until = now + duration;
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = Table,
                Key = new() { ["name"] = new AttributeValue { S = name } },
                UpdateExpression = "SET #owner = :me, leaseUntil = :until",
                ConditionExpression = "attribute_not_exists(#owner) OR #owner = :me OR leaseUntil < :now",
                ExpressionAttributeNames = new() { ["#owner"] = "owner" },
                ExpressionAttributeValues = new()
                {
                    [":me"] = new AttributeValue { S = Owner },
                    [":until"] = new AttributeValue { N = until.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) },
                    [":now"] = new AttributeValue { N = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) },
                },
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>Gives the lease up (on a graceful stop), so another instance need not wait for it to expire.</summary>
    public async Task ReleaseAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.DeleteItemAsync(new DeleteItemRequest
            {
                TableName = Table,
                Key = new() { ["name"] = new AttributeValue { S = name } },
                ConditionExpression = "#owner = :me",
                ExpressionAttributeNames = new() { ["#owner"] = "owner" },
                ExpressionAttributeValues = new() { [":me"] = new AttributeValue { S = Owner } },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            // Someone else holds it now: nothing of ours to give up.
        }
    }
}
