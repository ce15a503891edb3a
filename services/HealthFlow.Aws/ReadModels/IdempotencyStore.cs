using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Aws.Topology;
using static HealthFlow.Aws.ReadModels.DynamoItems;

namespace HealthFlow.Aws.ReadModels;

public enum IdempotencyStatus { Pending, Completed }

/// <summary>
/// What a command promised for one Idempotency-Key: the id of its result, a hash of the request it
/// answered, and, while pending, a lease (who is doing the work until when) and the stream version
/// before the work began (where to look for the result after a crash).
/// </summary>
public sealed record IdempotencyRecord(
    string Key,
    string RequestHash,
    string ResultId,
    IdempotencyStatus Status,
    DateTimeOffset LeaseUntil,
    long BaseVersion);

/// <summary>
/// The `idempotency-keys` table (command-api). Item layout:
/// <code>
/// key          S  "{user}:{Idempotency-Key}" (keys are scoped to the caller)
/// requestHash  S  SHA-256 of the request body, so a reused key with another body is refused
/// resultId     S  e.g. the observationId promised to the first request
/// status       S  pending | completed
/// leaseUntil   N  Unix ms; a pending record whose lease ran out may be taken over
/// baseVersion  N  the stream version read before appending
/// expiresAt    N  Unix seconds; the table's TTL attribute
/// </code>
/// </summary>
public sealed class IdempotencyStore(IAmazonDynamoDB dynamo)
{
    private static readonly TableDefinition Table = HealthFlowTopology.Tables.IdempotencyKeys;

    /// <summary>Claims the key for a new request, or returns the record of the request that claimed it first.</summary>
    public async Task<(bool Reserved, IdempotencyRecord? Existing)> TryReserveAsync(
        IdempotencyRecord record, TimeSpan retention, CancellationToken cancellationToken)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["key"] = S(record.Key),
            ["requestHash"] = S(record.RequestHash),
            ["resultId"] = S(record.ResultId),
            ["status"] = S(StatusValue(record.Status)),
            ["leaseUntil"] = N(record.LeaseUntil.ToUnixTimeMilliseconds()),
            ["baseVersion"] = N(record.BaseVersion),
            [Table.TimeToLiveAttribute!] = N((record.LeaseUntil + retention).ToUnixTimeSeconds()),
        };
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = Table.Name,
                Item = item,
                ConditionExpression = "attribute_not_exists(#key)",
                ExpressionAttributeNames = new() { ["#key"] = "key" },
            }, cancellationToken);
            return (true, null);
        }
        catch (ConditionalCheckFailedException)
        {
            return (false, await GetAsync(record.Key, cancellationToken));
        }
    }

    public async Task<IdempotencyRecord?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = Table.Name,
            Key = new() { ["key"] = S(key) },
            ConsistentRead = true,
        }, cancellationToken);
        return response.Item is { Count: > 0 } item
            ? new IdempotencyRecord(
                item.GetString("key"),
                item.GetString("requestHash"),
                item.GetString("resultId"),
                item.GetString("status") == StatusValue(IdempotencyStatus.Completed) ? IdempotencyStatus.Completed : IdempotencyStatus.Pending,
                DateTimeOffset.FromUnixTimeMilliseconds(item.GetOptionalLong("leaseUntil") ?? 0),
                item.GetOptionalLong("baseVersion") ?? 0)
            : null;
    }

    /// <summary>
    /// Takes over a pending record whose lease expired (its request most likely crashed). Conditional on
    /// the lease read, so of several retries only one takes over.
    /// </summary>
    public async Task<bool> TryTakeOverAsync(IdempotencyRecord expired, DateTimeOffset newLeaseUntil, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = Table.Name,
                Key = new() { ["key"] = S(expired.Key) },
                UpdateExpression = "SET leaseUntil = :new",
                ConditionExpression = "#status = :pending AND leaseUntil = :old",
                ExpressionAttributeNames = new() { ["#status"] = "status" },
                ExpressionAttributeValues = new()
                {
                    [":new"] = N(newLeaseUntil.ToUnixTimeMilliseconds()),
                    [":old"] = N(expired.LeaseUntil.ToUnixTimeMilliseconds()),
                    [":pending"] = S(StatusValue(IdempotencyStatus.Pending)),
                },
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    public Task CompleteAsync(string key, CancellationToken cancellationToken) =>
        dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = Table.Name,
            Key = new() { ["key"] = S(key) },
            UpdateExpression = "SET #status = :completed",
            ExpressionAttributeNames = new() { ["#status"] = "status" },
            ExpressionAttributeValues = new() { [":completed"] = S(StatusValue(IdempotencyStatus.Completed)) },
        }, cancellationToken);

    private static string StatusValue(IdempotencyStatus status) =>
        status.ToString().ToLower(CultureInfo.InvariantCulture);
}
