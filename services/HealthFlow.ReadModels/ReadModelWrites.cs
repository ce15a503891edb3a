using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using static HealthFlow.ReadModels.DynamoItems;

namespace HealthFlow.ReadModels;

/// <summary>
/// The projections' idempotent writes. Every item records the (streamId, lastVersion) of the last event
/// applied; a write is conditional on that version being older, so redelivered and out-of-order
/// duplicates are skipped instead of overwriting newer state.
/// </summary>
internal static class ReadModelWrites
{
    public static async Task<bool> PutIfNewerAsync(
        IAmazonDynamoDB dynamo,
        string tableName,
        string partitionKey,
        Dictionary<string, AttributeValue> item,
        long version,
        CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = tableName,
                Item = item,
                ConditionExpression = "attribute_not_exists(#pk) OR lastVersion < :version",
                ExpressionAttributeNames = new() { ["#pk"] = partitionKey },
                ExpressionAttributeValues = new() { [":version"] = N(version) },
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Sets <paramref name="attributes"/> on the item (creating it if need be) unless its <paramref name="checkpoint"/>
    /// is already at <paramref name="version"/> or later. Where several event types write one item, each keeps a
    /// checkpoint of its own, so each is applied at most once and, arriving in any order, none undoes another.
    /// </summary>
    /// <returns>False when skipped as a duplicate or older.</returns>
    public static async Task<bool> UpdateIfNewerAsync(
        IAmazonDynamoDB dynamo,
        string tableName,
        Dictionary<string, AttributeValue> key,
        string checkpoint,
        long version,
        IReadOnlyDictionary<string, AttributeValue> attributes,
        CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string> { ["#checkpoint"] = checkpoint };
        var values = new Dictionary<string, AttributeValue> { [":version"] = N(version) };
        var sets = new List<string> { "#checkpoint = :version" };
        foreach (var (name, value) in attributes)
        {
            names[$"#{name}"] = name;
            values[$":{name}"] = value;
            sets.Add($"#{name} = :{name}");
        }

        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = key,
                UpdateExpression = "SET " + string.Join(", ", sets),
                ConditionExpression = "attribute_not_exists(#checkpoint) OR #checkpoint < :version",
                ExpressionAttributeNames = names,
                ExpressionAttributeValues = values,
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }
}
