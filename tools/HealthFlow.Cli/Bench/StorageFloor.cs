using System.Diagnostics;
using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Cli.Replay;
using HealthFlow.Provisioning;
using HealthFlow.Topology;

namespace HealthFlow.Cli.Bench;

/// <param name="Operation">PutItem (conditional, one item per request) or BatchWriteItem (25 items per request).</param>
/// <param name="ItemsPerSecond">Items stored per second.</param>
/// <param name="LatencyMs">Per request.</param>
public sealed record FloorResult(
    string Operation,
    string Table,
    int Concurrency,
    int PayloadBytes,
    double Seconds,
    long Items,
    long Conflicts,
    double ItemsPerSecond,
    LatencyStats LatencyMs);

/// <summary>
/// The floors the bench compares the system to: what the same AWS endpoint does when written to
/// directly, with the system's own items (read back from its tables) into scratch copies of its
/// tables (same keys and indexes), created and deleted here.
/// <list type="bullet">
/// <item>Conditional PutItem into a copy of `events`: what an append costs, the floor of ingest and latencies.</item>
/// <item>BatchWriteItem into a copy of `observations`: what rebuilding that read model costs, the floor of replay.</item>
/// </list>
/// </summary>
public sealed class StorageFloor(IAmazonDynamoDB dynamo, TopologyProvisioner provisioner, Action<string> report)
{
    public const string ScratchTablePrefix = "bench-floor-";

    /// <param name="commit">A commit item as the event store wrote it.</param>
    public Task<FloorResult> MeasurePutItemAsync(Dictionary<string, AttributeValue> commit, int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        var shape = HealthFlowTopology.Tables.Events;
        return MeasureAsync("PutItem", shape, commit, concurrency, duration, async (table, worker, sequence, item, ct) =>
        {
            // One stream per writer, versions counting up: every put is a new commit, as appends are.
            item[shape.PartitionKey.Name] = new() { S = $"floor-{worker}" };
            item[shape.SortKey!.Name] = new() { N = sequence.ToString(CultureInfo.InvariantCulture) };
            try
            {
                await dynamo.PutItemAsync(new PutItemRequest
                {
                    TableName = table,
                    Item = item,
                    ConditionExpression = "attribute_not_exists(#version)",
                    ExpressionAttributeNames = new() { ["#version"] = shape.SortKey.Name },
                }, ct);
                return (1, 0);
            }
            catch (ConditionalCheckFailedException)
            {
                return (0, 1);
            }
        }, cancellationToken);
    }

    /// <param name="observation">An item of the observations read model as the projection wrote it.</param>
    public Task<FloorResult> MeasureBatchWriteAsync(Dictionary<string, AttributeValue> observation, int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        var shape = HealthFlowTopology.Tables.Observations;
        var keys = new[] { shape.PartitionKey.Name, shape.SortKey!.Name }.Concat(shape.Indexes.Select(i => i.PartitionKey.Name)).Distinct().ToArray();
        return MeasureAsync("BatchWriteItem", shape, observation, concurrency, duration, async (table, _, _, item, ct) =>
        {
            var requests = Enumerable.Range(0, BatchWrites.MaxBatchSize).Select(_ =>
            {
                var copy = new Dictionary<string, AttributeValue>(item);
                foreach (var key in keys)
                {
                    // Same length as the ids they replace, so the payload stays the same size.
                    copy[key] = new() { S = Guid.NewGuid().ToString() + (copy[key].S.Length > 36 ? copy[key].S[36..] : string.Empty) };
                }

                return new WriteRequest(new PutRequest(copy));
            }).ToList();
            await BatchWrites.WriteAsync(dynamo, table, requests, ct);
            return (requests.Count, 0);
        }, cancellationToken);
    }

    private async Task<FloorResult> MeasureAsync(
        string operation,
        TableDefinition shape,
        Dictionary<string, AttributeValue> template,
        int concurrency,
        TimeSpan duration,
        Func<string, int, long, Dictionary<string, AttributeValue>, CancellationToken, Task<(int Written, int Conflicts)>> write,
        CancellationToken cancellationToken)
    {
        var table = shape with { Name = ScratchTablePrefix + Guid.NewGuid().ToString("N")[..12] };
        await provisioner.EnsureTableAsync(table, cancellationToken);
        try
        {
            var latencies = new LatencyRecorder();
            long items = 0, conflicts = 0;
            var clock = Stopwatch.StartNew();
            using var progress = ProgressLine.Every(TimeSpan.FromSeconds(1), () => string.Create(CultureInfo.InvariantCulture,
                $"  {operation} floor {clock.Elapsed.TotalSeconds,5:0.0} s: {Interlocked.Read(ref items):N0} items, {ProgressLine.Rate(Interlocked.Read(ref items) / clock.Elapsed.TotalSeconds)}"));

            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
            {
                for (long sequence = 1; clock.Elapsed < duration; sequence++)
                {
                    var started = Stopwatch.GetTimestamp();
                    var (written, conflicted) = await write(table.Name, worker, sequence, new Dictionary<string, AttributeValue>(template), cancellationToken);
                    latencies.Add(Stopwatch.GetElapsedTime(started));
                    Interlocked.Add(ref items, written);
                    Interlocked.Add(ref conflicts, conflicted);
                }
            }, cancellationToken)));

            var seconds = clock.Elapsed.TotalSeconds;
            return new FloorResult(operation, table.Name, concurrency, ItemSize(template), seconds, items, conflicts, items / seconds, latencies.Snapshot());
        }
        finally
        {
            await dynamo.DeleteTableAsync(table.Name, CancellationToken.None);
            report($"  deleted the scratch table {table.Name}");
        }
    }

    /// <summary>DynamoDB's item size: attribute names plus values (UTF-8), recursively.</summary>
    public static int ItemSize(Dictionary<string, AttributeValue> item) =>
        item.Sum(pair => System.Text.Encoding.UTF8.GetByteCount(pair.Key) + ValueSize(pair.Value));

    private static int ValueSize(AttributeValue value) =>
        value.S is { } s ? System.Text.Encoding.UTF8.GetByteCount(s)
        : value.N is { } n ? n.Length
        : value.M is { } m ? 3 + ItemSize(m)
        : value.L is { } l ? 3 + l.Sum(v => 1 + ValueSize(v))
        : 1;
}
