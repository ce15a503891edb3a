using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace HealthFlow.Cli.Replay;

/// <summary>Deletes every item of a table: a parallel Scan of the keys only, deleted in batches of 25.</summary>
public static class TableWiper
{
    public static async Task<long> DeleteAllAsync(
        IAmazonDynamoDB dynamo, ReadModelTable table, int segments, CancellationToken cancellationToken)
    {
        long deleted = 0;
        var names = table.KeyAttributes.Select((name, i) => (Placeholder: $"#k{i}", Name: name)).ToList();
        await Parallel.ForEachAsync(Enumerable.Range(0, segments), cancellationToken, async (segment, ct) =>
        {
            Dictionary<string, AttributeValue>? startKey = null;
            do
            {
                var page = await dynamo.ScanAsync(new ScanRequest
                {
                    TableName = table.Table.Name,
                    Segment = segment,
                    TotalSegments = segments,
                    ProjectionExpression = string.Join(", ", names.Select(n => n.Placeholder)),
                    ExpressionAttributeNames = names.ToDictionary(n => n.Placeholder, n => n.Name),
                    ExclusiveStartKey = startKey,
                }, ct);

                foreach (var chunk in (page.Items ?? []).Chunk(BatchWrites.MaxBatchSize))
                {
                    var requests = chunk.Select(key => new WriteRequest(new DeleteRequest(key))).ToList();
                    await BatchWrites.WriteAsync(dynamo, table.Table.Name, requests, ct);
                    Interlocked.Add(ref deleted, requests.Count);
                }

                startKey = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
            }
            while (startKey is not null);
        });
        return deleted;
    }
}
