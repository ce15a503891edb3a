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
}
