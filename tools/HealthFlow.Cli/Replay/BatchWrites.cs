using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace HealthFlow.Cli.Replay;

/// <summary>BatchWriteItem with DynamoDB's contract honoured: at most 25 requests, and unprocessed items retried with backoff.</summary>
internal static class BatchWrites
{
    public const int MaxBatchSize = 25;
    private const int MaxAttempts = 10;

    public static async Task WriteAsync(
        Func<BatchWriteItemRequest, CancellationToken, Task<BatchWriteItemResponse>> batchWrite,
        string tableName,
        List<WriteRequest> requests,
        CancellationToken cancellationToken)
    {
        var remaining = new Dictionary<string, List<WriteRequest>> { [tableName] = requests };
        var delay = TimeSpan.FromMilliseconds(20);
        for (var attempt = 1; ; attempt++)
        {
            var response = await batchWrite(new BatchWriteItemRequest { RequestItems = remaining }, cancellationToken);
            if (response.UnprocessedItems is not { Count: > 0 } unprocessed || unprocessed.Values.All(r => r.Count == 0))
            {
                return;
            }

            if (attempt == MaxAttempts)
            {
                throw new InvalidOperationException(
                    $"DynamoDB left {unprocessed.Values.Sum(r => r.Count)} writes to {tableName} unprocessed after {MaxAttempts} attempts.");
            }

            // Unprocessed items mean the table is throttling: back off before retrying them.
            remaining = unprocessed;
            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
    }

    public static Task WriteAsync(IAmazonDynamoDB dynamo, string tableName, List<WriteRequest> requests, CancellationToken cancellationToken) =>
        WriteAsync(dynamo.BatchWriteItemAsync, tableName, requests, cancellationToken);
}
