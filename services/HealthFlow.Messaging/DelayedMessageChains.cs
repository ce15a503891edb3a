using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Topology;

namespace HealthFlow.Messaging;

/// <summary>
/// Which leg carries a chain of delayed messages: a time more than SQS's 15-minute delay away travels as a chain, each
/// leg sending the next. A standard queue has no deduplication and delivers a message again when it was handled but
/// not deleted (a crash, a lost delete), so a leg that simply sent its successor on every delivery would fork the
/// chain. Only the chain's current leg may send the next one, and hands the chain over to it.
/// </summary>
public interface IDelayedMessageChains
{
    /// <summary>
    /// True when <paramref name="leg"/> carries the chain: it is the leg the chain was last handed to, or the chain has
    /// none yet (its first leg, recorded now). False for a leg the chain has moved on from: another leg carries it.
    /// </summary>
    Task<bool> TryCarryAsync(string chain, Guid leg, CancellationToken cancellationToken);

    /// <summary>
    /// Hands the chain from <paramref name="leg"/> to <paramref name="next"/>, a leg already sent. False when another
    /// delivery of <paramref name="leg"/> handed it over first: then <paramref name="next"/> carries nothing, and its
    /// <see cref="TryCarryAsync"/> says so when it arrives.
    /// </summary>
    Task<bool> HandOverAsync(string chain, Guid leg, Guid next, CancellationToken cancellationToken);

    /// <summary>Forgets a chain whose time has come and gone.</summary>
    Task EndAsync(string chain, CancellationToken cancellationToken);
}

/// <summary>
/// The chains as items of the `leases` table: a chain is held by one leg at a time, as a lease is held by one owner.
/// Item layout: <c>name</c> (S, "chain/{chain}"), <c>leg</c> (S, the carrying leg's message id). Every step is one
/// conditional UpdateItem (or DeleteItem at the end), so of two deliveries of one leg exactly one hands the chain on.
/// </summary>
public sealed class DelayedMessageChains(IAmazonDynamoDB dynamo) : IDelayedMessageChains
{
    private const string NamePrefix = HealthFlowAccess.DelayedMessageChainPrefix;
    private static readonly string Table = HealthFlowTopology.Tables.Leases.Name;

    public async Task<bool> TryCarryAsync(string chain, Guid leg, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = Table,
                Key = Key(chain),
                UpdateExpression = "SET leg = if_not_exists(leg, :leg)",
                ConditionExpression = "attribute_not_exists(leg) OR leg = :leg",
                ExpressionAttributeValues = new() { [":leg"] = new AttributeValue { S = leg.ToString("D") } },
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    public async Task<bool> HandOverAsync(string chain, Guid leg, Guid next, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = Table,
                Key = Key(chain),
                UpdateExpression = "SET leg = :next",
                ConditionExpression = "leg = :leg",
                ExpressionAttributeValues = new()
                {
                    [":leg"] = new AttributeValue { S = leg.ToString("D") },
                    [":next"] = new AttributeValue { S = next.ToString("D") },
                },
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    public Task EndAsync(string chain, CancellationToken cancellationToken) =>
        dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = Table, Key = Key(chain) }, cancellationToken);

    private static Dictionary<string, AttributeValue> Key(string chain) => new() { ["name"] = new AttributeValue { S = NamePrefix + chain } };
}
