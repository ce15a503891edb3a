using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.Topology;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HealthFlow.EventStore;

// Item layout of the `events` table: one item per commit (as in Equinox.DynamoStore).
//
// | attribute   | type | meaning                                                                        |
// |-------------|------|--------------------------------------------------------------------------------|
// | streamId    | S    | partition key: `patient-<id>`, `observation-<id>`, `alert-<id>` (StreamId)     |
// | version     | N    | sort key: the stream version this commit creates (expected + 1, no gaps)      |
// | committedAt | S    | ISO-8601 UTC, fixed width; sort key of the `outbox` index                      |
// | commitId    | S    | UUID fixed by the writer before its first attempt: a retry knows its own commit |
// | pending     | S    | outbox shard `0`..`3` while unpublished, then REMOVEd: the sparse `outbox` GSI; |
// |             |      | `parked` when the relay set it aside (it could never be published)            |
// | parked      | S    | why it was set aside, and when (only with pending = `parked`)                 |
// | metadata    | M    | correlationId, causationId, userId, traceparent, tracestate, requestHash       |
// |             |      | (S; absent = null). requestHash: SHA-256 of the HTTP body, told apart on retry |
// | events      | L    | one M per event: eventId (S, UUIDv7), type (S), occurredAt (S), data (S, JSON) |
//
// Every event of a commit carries the commit's version and metadata in its envelope.

/// <summary>
/// The event store on DynamoDB. An append is one conditional PutItem (no transactions), followed
/// by an immediate publish; the outbox mark is removed in the background (<see cref="OutboxMarks"/>),
/// and the outbox relay covers a publish that failed or never happened. So an append costs its caller
/// one write and one PutEvents, and holds no lock.
/// </summary>
public sealed class DynamoEventStore(
    IAmazonDynamoDB dynamo,
    IEventPublisher publisher,
    OutboxMarks outboxMarks,
    IOptions<EventStoreOptions> options,
    ILogger<DynamoEventStore> logger,
    TimeProvider? timeProvider = null) : IEventStore
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly EventStoreOptions _options = options.Value;

    public async Task<AppendResult> AppendAsync(
        StreamId stream,
        long expectedVersion,
        IReadOnlyList<IDomainEvent> events,
        EventMetadata metadata,
        CancellationToken cancellationToken = default)
    {
        var committed = await CommitAsync(stream, expectedVersion, events, metadata, Guid.CreateVersion7(), cancellationToken).ConfigureAwait(false);
        await PublishCommittedAsync(stream.Value, committed.Version, committed.Events).ConfigureAwait(false);
        return committed;
    }

    public Task<AppendResult> AppendDurableAsync(
        StreamId stream,
        long expectedVersion,
        IReadOnlyList<IDomainEvent> events,
        EventMetadata metadata,
        CancellationToken cancellationToken = default) =>
        AppendDurableAsync(stream, expectedVersion, events, metadata, Guid.CreateVersion7(), cancellationToken);

    public async Task<AppendResult> AppendDurableAsync(
        StreamId stream,
        long expectedVersion,
        IReadOnlyList<IDomainEvent> events,
        EventMetadata metadata,
        Guid commitId,
        CancellationToken cancellationToken = default)
    {
        var committed = await CommitAsync(stream, expectedVersion, events, metadata, commitId, cancellationToken).ConfigureAwait(false);
        // PublishCommittedAsync never throws; a publish cut short by the process ending is the relay's to finish.
        _ = Task.Run(() => PublishCommittedAsync(stream.Value, committed.Version, committed.Events), CancellationToken.None);
        return committed;
    }

    private async Task<AppendResult> CommitAsync(
        StreamId stream,
        long expectedVersion,
        IReadOnlyList<IDomainEvent> events,
        EventMetadata metadata,
        Guid commitId,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stream.Value, nameof(stream));
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        ArgumentNullException.ThrowIfNull(metadata);
        if (events is not { Count: > 0 })
            throw new ArgumentException("A commit holds at least one event.", nameof(events));

        var version = expectedVersion + 1;
        var now = _time.GetUtcNow();
        var envelopes = events
            .Select(e => new EventEnvelope(
                Guid.CreateVersion7(now),
                stream.Value,
                version,
                EventTypes.Of(e),
                now,
                JsonSerializer.SerializeToElement(e, e.GetType(), DomainJson.Options),
                metadata))
            .ToList();

        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = CommitItems.Table,
                Item = CommitItems.ToItem(stream.Value, version, now, metadata, envelopes, commitId),
                ConditionExpression = "attribute_not_exists(#version)",
                ExpressionAttributeNames = new() { ["#version"] = CommitItems.Version },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            // The stored commit's events, not this attempt's: their ids are the ones the outbox publishes.
            envelopes = await OwnCommitAsync(stream.Value, version, commitId, envelopes[0].EventId, cancellationToken).ConfigureAwait(false)
                ?? throw new ConcurrencyConflictException(stream, expectedVersion);
        }

        HealthFlowTelemetry.EventsAppended.Add(envelopes.Count);
        return new AppendResult(version, envelopes);
    }

    // A PutItem whose reply was lost is sent again, by the SDK (the same request) or by a caller that retries
    // with the same commit id (new event ids); if the first attempt landed, the retry fails its condition
    // against our own commit. That is a success, not a conflict. Commits stored before commit ids existed
    // are recognised by their first event id.
    private async Task<List<EventEnvelope>?> OwnCommitAsync(string streamId, long version, Guid commitId, Guid firstEventId, CancellationToken cancellationToken)
    {
        var existing = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = CommitItems.Table,
            Key = CommitItems.Key(streamId, version),
            ConsistentRead = true,
        }, cancellationToken).ConfigureAwait(false);
        if (existing.Item is not { Count: > 0 } item)
            return null;
        var own = item.TryGetValue(CommitItems.CommitId, out var id)
            ? id.S == commitId.ToString()
            : item.TryGetValue(CommitItems.Events, out var events)
                && events.L is [{ M: { } first }, ..]
                && first.TryGetValue("eventId", out var eventId)
                && eventId.S == firstEventId.ToString();
        return own ? [.. CommitItems.ToEnvelopes(item)] : null;
    }

    // The commit is durable: from here on nothing may fail the caller's command. A failed or slow
    // publish leaves `pending` set and the relay publishes later. The caller's token is not used,
    // so a client that hangs up does not turn a fast publish into a late one.
    private async Task PublishCommittedAsync(string streamId, long version, IReadOnlyList<EventEnvelope> envelopes)
    {
        using var timeout = new CancellationTokenSource(_options.PublishTimeout);
        try
        {
            await publisher.PublishAsync(envelopes, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            HealthFlowTelemetry.PublishFailures.Add(1);
            logger.LogWarning(ex, "Publishing {StreamId}@{Version} failed; the outbox relay will publish it", streamId, version);
            return;
        }

        outboxMarks.Clear(streamId, version);
    }

    public async Task<long> GetVersionAsync(StreamId stream, CancellationToken cancellationToken = default)
    {
        var response = await dynamo.QueryAsync(new QueryRequest
        {
            TableName = CommitItems.Table,
            KeyConditionExpression = "#stream = :stream",
            ExpressionAttributeNames = new() { ["#stream"] = CommitItems.StreamId, ["#version"] = CommitItems.Version },
            ExpressionAttributeValues = new() { [":stream"] = new AttributeValue { S = stream.Value } },
            ProjectionExpression = "#version",
            ScanIndexForward = false,
            Limit = 1,
            ConsistentRead = true,
        }, cancellationToken).ConfigureAwait(false);

        return response.Items is [var last, ..] ? CommitItems.VersionOf(last) : ExpectedVersion.NoStream;
    }

    public IAsyncEnumerable<EventEnvelope> ReadStreamAsync(StreamId stream, long fromVersion = 1, CancellationToken cancellationToken = default) =>
        new DynamoEventStreams(dynamo).ReadStreamAsync(stream, fromVersion, cancellationToken);

    public IAsyncEnumerable<EventEnvelope> ReadStreamBackwardAsync(StreamId stream, CancellationToken cancellationToken = default) =>
        new DynamoEventStreams(dynamo).ReadStreamBackwardAsync(stream, cancellationToken);

    /// <summary>
    /// Parallel Scan segments merged as they arrive. A stream lives in one partition, hence in one
    /// segment, and DynamoDB stores (and scans) the items of a partition key in sort-key order, so
    /// each stream comes out in version order; streams interleave freely.
    /// </summary>
    public async IAsyncEnumerable<EventEnvelope> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var segments = _options.ReplaySegments;
        var channel = Channel.CreateBounded<EventEnvelope>(new BoundedChannelOptions(1_000) { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var scans = Enumerable.Range(0, segments).Select(segment => ScanSegmentAsync(segment, segments, channel.Writer, stop.Token)).ToArray();
        var completion = Task.WhenAll(scans).ContinueWith(
            t => channel.Writer.TryComplete(t.Exception?.GetBaseException()),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        try
        {
            await foreach (var envelope in channel.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
                yield return envelope;
        }
        finally
        {
            // The reader may stop early (break, exception): stop the scans and let them drain.
            await stop.CancelAsync().ConfigureAwait(false);
            await completion.ConfigureAwait(false);
        }
    }

    private async Task ScanSegmentAsync(int segment, int totalSegments, ChannelWriter<EventEnvelope> writer, CancellationToken cancellationToken)
    {
        Dictionary<string, AttributeValue>? startKey = null;
        string? currentStream = null;
        long currentVersion = 0;
        do
        {
            var page = await dynamo.ScanAsync(new ScanRequest
            {
                TableName = CommitItems.Table,
                Segment = segment,
                TotalSegments = totalSegments,
                ExclusiveStartKey = startKey,
            }, cancellationToken).ConfigureAwait(false);

            foreach (var item in page.Items ?? [])
            {
                var streamId = item[CommitItems.StreamId].S;
                var version = CommitItems.VersionOf(item);
                // Replay feeds projections that assume version order; never hand them a stream out of order.
                if (streamId == currentStream && version <= currentVersion)
                    throw new InvalidOperationException($"Scan returned {streamId}@{version} after version {currentVersion}.");
                (currentStream, currentVersion) = (streamId, version);

                foreach (var envelope in CommitItems.ToEnvelopes(item))
                    await writer.WriteAsync(envelope, cancellationToken).ConfigureAwait(false);
            }

            startKey = page.LastEvaluatedKey is { Count: > 0 } ? page.LastEvaluatedKey : null;
        }
        while (startKey is not null);
    }
}

/// <summary>Maps commits to and from the item layout documented at the top of this file.</summary>
/// <summary>Reads streams of the `events` table (consistent Query by streamId, version upwards or, for a tail, downwards).</summary>
public sealed class DynamoEventStreams(IAmazonDynamoDB dynamo) : IEventStreamReader
{
    public async IAsyncEnumerable<EventEnvelope> ReadStreamAsync(
        StreamId stream,
        long fromVersion = 1,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var page = await dynamo.QueryAsync(new QueryRequest
            {
                TableName = CommitItems.Table,
                KeyConditionExpression = "#stream = :stream AND #version >= :from",
                ExpressionAttributeNames = new() { ["#stream"] = CommitItems.StreamId, ["#version"] = CommitItems.Version },
                ExpressionAttributeValues = new()
                {
                    [":stream"] = new AttributeValue { S = stream.Value },
                    [":from"] = new AttributeValue { N = Math.Max(fromVersion, 1).ToString(CultureInfo.InvariantCulture) },
                },
                ConsistentRead = true,
                ExclusiveStartKey = startKey,
            }, cancellationToken).ConfigureAwait(false);

            foreach (var item in page.Items ?? [])
            {
                foreach (var envelope in CommitItems.ToEnvelopes(item))
                    yield return envelope;
            }

            startKey = page.LastEvaluatedKey is { Count: > 0 } ? page.LastEvaluatedKey : null;
        }
        while (startKey is not null);
    }

    /// <summary>Commits read per request going backwards: a tail is usually a few commits, and a page is paid for whole.</summary>
    public const int BackwardPageSize = 8;

    public async IAsyncEnumerable<EventEnvelope> ReadStreamBackwardAsync(
        StreamId stream,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var page = await dynamo.QueryAsync(new QueryRequest
            {
                TableName = CommitItems.Table,
                KeyConditionExpression = "#stream = :stream",
                ExpressionAttributeNames = new() { ["#stream"] = CommitItems.StreamId },
                ExpressionAttributeValues = new() { [":stream"] = new AttributeValue { S = stream.Value } },
                ScanIndexForward = false,
                Limit = BackwardPageSize,
                ConsistentRead = true,
                ExclusiveStartKey = startKey,
            }, cancellationToken).ConfigureAwait(false);

            foreach (var item in page.Items ?? [])
            {
                foreach (var envelope in CommitItems.ToEnvelopes(item).Reverse())
                    yield return envelope;
            }

            startKey = page.LastEvaluatedKey is { Count: > 0 } ? page.LastEvaluatedKey : null;
        }
        while (startKey is not null);
    }
}

internal static class CommitItems
{
    public const string StreamId = "streamId";
    public const string Version = "version";
    public const string CommittedAt = "committedAt";
    public const string CommitId = "commitId";
    public const string Pending = "pending";

    /// <summary>Why the relay set a commit aside; with <see cref="Pending"/> = <see cref="ParkedShard"/>.</summary>
    public const string Parked = "parked";

    /// <summary>The outbox index partition of commits set aside: no relay sweeps it, `healthflow outbox` lists it.</summary>
    public const string ParkedShard = "parked";
    public const string Metadata = "metadata";
    public const string Events = "events";

    /// <summary>
    /// The outbox index is spread over a few partition values: one constant value would cap the
    /// append rate at what a single GSI partition accepts (about 1,000 writes/s on AWS).
    /// </summary>
    public const int OutboxShards = 4;

    public static string Table => HealthFlowTopology.Tables.Events.Name;

    public static IEnumerable<string> OutboxShardValues =>
        Enumerable.Range(0, OutboxShards).Select(shard => shard.ToString(CultureInfo.InvariantCulture));

    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static Dictionary<string, AttributeValue> Key(string streamId, long version) => new()
    {
        [StreamId] = new AttributeValue { S = streamId },
        [Version] = new AttributeValue { N = version.ToString(CultureInfo.InvariantCulture) },
    };

    public static long VersionOf(Dictionary<string, AttributeValue> item) =>
        long.Parse(item[Version].N, CultureInfo.InvariantCulture);

    public static Dictionary<string, AttributeValue> ToItem(
        string streamId, long version, DateTimeOffset committedAt, EventMetadata metadata, IReadOnlyList<EventEnvelope> events, Guid commitId)
    {
        var item = Key(streamId, version);
        item[CommittedAt] = new AttributeValue { S = FormatTime(committedAt) };
        item[CommitId] = new AttributeValue { S = commitId.ToString() };
        // UUIDv7 ends in random bits, so the first event id spreads commits evenly over the shards.
        item[Pending] = new AttributeValue { S = (events[0].EventId.ToByteArray()[15] % OutboxShards).ToString(CultureInfo.InvariantCulture) };
        item[Metadata] = new AttributeValue { M = ToMap(metadata) };
        item[Events] = new AttributeValue
        {
            L = events.Select(e => new AttributeValue
            {
                M = new Dictionary<string, AttributeValue>
                {
                    ["eventId"] = new() { S = e.EventId.ToString() },
                    ["type"] = new() { S = e.Type },
                    ["occurredAt"] = new() { S = FormatTime(e.OccurredAt) },
                    ["data"] = new() { S = e.Data.GetRawText() },
                },
            }).ToList(),
        };
        return item;
    }

    public static IEnumerable<EventEnvelope> ToEnvelopes(Dictionary<string, AttributeValue> item)
    {
        var streamId = item[StreamId].S;
        var version = VersionOf(item);
        var metadata = FromMap(item.TryGetValue(Metadata, out var m) ? m.M : null);
        foreach (var e in item[Events].L)
        {
            using var data = JsonDocument.Parse(e.M["data"].S);
            yield return new EventEnvelope(
                Guid.Parse(e.M["eventId"].S),
                streamId,
                version,
                e.M["type"].S,
                DateTimeOffset.Parse(e.M["occurredAt"].S, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                data.RootElement.Clone(),
                metadata);
        }
    }

    private static Dictionary<string, AttributeValue> ToMap(EventMetadata metadata)
    {
        var map = new Dictionary<string, AttributeValue> { ["correlationId"] = new() { S = metadata.CorrelationId } };
        Add("causationId", metadata.CausationId);
        Add("userId", metadata.UserId);
        Add("traceparent", metadata.Traceparent);
        Add("tracestate", metadata.Tracestate);
        Add("requestHash", metadata.RequestHash);
        return map;

        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
                map[name] = new AttributeValue { S = value };
        }
    }

    private static EventMetadata FromMap(Dictionary<string, AttributeValue>? map)
    {
        string? Get(string name) => map is not null && map.TryGetValue(name, out var v) ? v.S : null;
        return new EventMetadata(Get("correlationId") ?? string.Empty, Get("causationId"), Get("userId"), Get("traceparent"), Get("tracestate"), Get("requestHash"));
    }
}
