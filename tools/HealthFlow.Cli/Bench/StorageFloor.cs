using System.Diagnostics;
using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Aws.Topology;

namespace HealthFlow.Cli.Bench;

public sealed record FloorResult(
    string Table,
    int Concurrency,
    int PayloadBytes,
    double Seconds,
    long Puts,
    long Conflicts,
    double PutsPerSecond,
    LatencyStats LatencyMs);

/// <summary>
/// The floor every figure is compared to: raw conditional PutItem/s against the same endpoint, with the
/// event store's own item (a real commit read back from the `events` table) and the same table shape
/// (key schema and sparse outbox index), into a scratch table created and deleted here.
/// </summary>
public sealed class PutItemFloor(IAmazonDynamoDB dynamo, TopologyProvisioner provisioner)
{
    public const string ScratchTablePrefix = "bench-floor-";

    public async Task<FloorResult> MeasureAsync(
        Dictionary<string, AttributeValue> template, int concurrency, TimeSpan duration, Action<string> report, CancellationToken cancellationToken)
    {
        var table = HealthFlowTopology.Tables.Events with { Name = ScratchTablePrefix + Guid.NewGuid().ToString("N")[..12] };
        var streamKey = table.PartitionKey.Name;
        var versionKey = table.SortKey!.Name;
        await provisioner.EnsureTableAsync(table, cancellationToken);
        try
        {
            var latencies = new LatencyRecorder();
            long puts = 0, conflicts = 0;
            var clock = Stopwatch.StartNew();
            using var progress = ProgressLine.Every(TimeSpan.FromSeconds(1), () => string.Create(CultureInfo.InvariantCulture,
                $"  floor {clock.Elapsed.TotalSeconds,5:0.0} s: {Interlocked.Read(ref puts):N0} puts, {ProgressLine.Rate(Interlocked.Read(ref puts) / clock.Elapsed.TotalSeconds)}"));

            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
            {
                var stream = $"floor-{worker}";
                for (long version = 1; clock.Elapsed < duration; version++)
                {
                    var item = new Dictionary<string, AttributeValue>(template)
                    {
                        [streamKey] = new() { S = stream },
                        [versionKey] = new() { N = version.ToString(CultureInfo.InvariantCulture) },
                    };
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        await dynamo.PutItemAsync(new PutItemRequest
                        {
                            TableName = table.Name,
                            Item = item,
                            ConditionExpression = "attribute_not_exists(#version)",
                            ExpressionAttributeNames = new() { ["#version"] = versionKey },
                        }, cancellationToken);
                        Interlocked.Increment(ref puts);
                    }
                    catch (ConditionalCheckFailedException)
                    {
                        Interlocked.Increment(ref conflicts);
                    }

                    latencies.Add(Stopwatch.GetElapsedTime(started));
                }
            }, cancellationToken)));

            var seconds = clock.Elapsed.TotalSeconds;
            return new FloorResult(table.Name, concurrency, ItemSize(template), seconds, puts, conflicts, puts / seconds, latencies.Snapshot());
        }
        finally
        {
            await dynamo.DeleteTableAsync(table.Name, CancellationToken.None);
            report($"  floor: deleted scratch table {table.Name}");
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
