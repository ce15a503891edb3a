using System.Diagnostics;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Domain;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace HealthFlow.EventStore;

/// <summary>
/// Publishes commits that their writer did not (publish failed, process died between append and
/// publish). Together with the writer's own publish this makes publication at least once, and the
/// relay keeps the "at least" small:
/// <list type="bullet">
/// <item>Each outbox shard has one owner at a time, through a lease (<see cref="Leases"/>), so N
/// instances never republish one commit N times.</item>
/// <item>A sweep reads only commits older than <see cref="OutboxOptions.RepublishAfter"/>, by a key
/// condition on the index's sort key (`committedAt`), and that age is well above the writer's publish
/// timeout: a slow but successful publish is never repeated.</item>
/// <item>A service's relay republishes only the commits of the streams it appends, under leases of its own
/// (<see cref="OutboxOptions.Service"/>): its task role may remove no other commit's outbox mark.</item>
/// <item>A due commit that this process published itself, whose mark's removal is still queued
/// (<see cref="OutboxMarks"/>, behind at saturation), is not published again: the relay removes the mark instead.</item>
/// </list>
/// Each commit is published on its own account (<see cref="IEventPublisher.PublishCommitsAsync"/>), so one the bus
/// refuses does not hold back the commits behind it. A commit that can never be published (over EventBridge's
/// entry limit, or refused <see cref="OutboxOptions.MaxPublishAttempts"/> times while the bus took the others) is
/// parked: moved off the swept shards to the outbox index's `parked` partition with the reason, counted
/// (`healthflow.outbox.parked`) and logged; `healthflow outbox list` shows it, `healthflow outbox replay` publishes it.
/// </summary>
public sealed class OutboxRelay : BackgroundService
{
    private readonly IAmazonDynamoDB _dynamo;
    private readonly IEventPublisher _publisher;
    private readonly OutboxMarks _marks;
    private readonly Leases _leases;
    // Entry-level refusals per commit, while it keeps failing; forgotten once it is published or parked.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string StreamId, long Version), int> _failedAttempts = new();
    private readonly OutboxOptions _options;
    private readonly ILogger<OutboxRelay> _logger;
    private readonly TimeProvider _time;
    private readonly HealthFlowTelemetry.OutboxGauge _pendingGauge;
    private readonly IReadOnlyList<string> _streamPrefixes;

    public OutboxRelay(
        IAmazonDynamoDB dynamo,
        IEventPublisher publisher,
        OutboxMarks marks,
        Leases leases,
        IOptions<OutboxOptions> options,
        ILogger<OutboxRelay> logger,
        TimeProvider? timeProvider = null)
    {
        _dynamo = dynamo;
        _publisher = publisher;
        _marks = marks;
        _leases = leases;
        _options = options.Value;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _pendingGauge = HealthFlowTelemetry.RegisterOutbox(this);
        _streamPrefixes = _options.Service is { } service ? Topology.HealthFlowAccess.StreamsAppendedBy(Topology.HealthFlowAccess.For(service)) : [];
    }

    /// <summary>The lease of a shard of every commit (a process that is no service).</summary>
    public static string LeaseName(string shard) => $"outbox-shard-{shard}";

    /// <summary>The lease of a shard of one service's commits.</summary>
    public static string LeaseName(string? service, string shard) =>
        service is null ? LeaseName(shard) : $"{Topology.HealthFlowAccess.RelayLeasePrefix(service)}shard-{shard}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.RelayEnabled)
        {
            _logger.LogInformation("Outbox relay disabled by configuration");
            return;
        }

        using var timer = new PeriodicTimer(_options.SweepInterval, _time);
        try
        {
            do
            {
                try
                {
                    await RelayPendingAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    // The store may be briefly unreachable; the next sweep tries again.
                    _logger.LogWarning(ex, "Outbox sweep failed");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await ReleaseLeasesAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One sweep over the shards this instance holds (or can take), all at once: publishes every
    /// commit pending for longer than <see cref="OutboxOptions.RepublishAfter"/>, up to ten events per
    /// PutEvents call, and clears their marks. Returns how many commits it published.
    /// </summary>
    public async Task<int> RelayPendingAsync(CancellationToken cancellationToken = default)
    {
        var shards = await Task.WhenAll(CommitItems.OutboxShardValues.Select(shard => RelayShardAsync(shard, cancellationToken))).ConfigureAwait(false);
        Interlocked.Exchange(ref _pendingGauge.Pending, shards.Sum(s => s.Pending));
        return shards.Sum(s => s.Relayed);
    }

    private async Task<(int Relayed, long Pending)> RelayShardAsync(string shard, CancellationToken cancellationToken)
    {
        // Stop well before the lease runs out, so a slow sweep never overlaps the next owner's.
        var stopAt = _time.GetUtcNow() + (_options.LeaseDuration * 2 / 3);
        bool held;
        // A sweep every two seconds would otherwise put a root trace in the dashboard each time.
        using (SuppressInstrumentationScope.Begin())
        {
            held = await _leases.TryAcquireAsync(LeaseName(_options.Service, shard), _options.LeaseDuration, cancellationToken).ConfigureAwait(false);
        }

        if (!held)
            return (0, 0);

        var relayed = 0;
        var group = new List<IReadOnlyList<EventEnvelope>>();
        var publishedHere = new List<(string StreamId, long Version)>();
        var cutoff = CommitItems.FormatTime(_time.GetUtcNow() - _options.RepublishAfter);
        await foreach (var item in ReadDueAsync(shard, cutoff, cancellationToken).ConfigureAwait(false))
        {
            if (_time.GetUtcNow() >= stopAt)
                break;

            var (streamId, version) = (item[CommitItems.StreamId].S, CommitItems.VersionOf(item));
            if (_marks.TryTakeOver(streamId, version))
            {
                // Published by this process; only its mark's removal is late. Publishing it again would turn a
                // removal backlog (saturation) into a flood of duplicates, and more load.
                publishedHere.Add((streamId, version));
                if (publishedHere.Count == MaxEventsPerPublish)
                {
                    await ClearTakenOverAsync(publishedHere, cancellationToken).ConfigureAwait(false);
                    publishedHere.Clear();
                }

                continue;
            }

            var commit = CommitItems.ToEnvelopes(item).ToList();
            if (group.Count > 0 && group.Sum(c => c.Count) + commit.Count > MaxEventsPerPublish)
            {
                relayed += await RelayAsync(group, cancellationToken).ConfigureAwait(false);
                group.Clear();
            }

            group.Add(commit);
        }

        if (group.Count > 0)
            relayed += await RelayAsync(group, cancellationToken).ConfigureAwait(false);
        if (publishedHere.Count > 0)
            await ClearTakenOverAsync(publishedHere, cancellationToken).ConfigureAwait(false);

        return (relayed, await CountPendingAsync(shard, cancellationToken).ConfigureAwait(false));
    }

    private async Task ClearTakenOverAsync(IReadOnlyList<(string StreamId, long Version)> commits, CancellationToken cancellationToken)
    {
        await Task.WhenAll(commits.Select(c => OutboxMarks.ClearAsync(_dynamo, c.StreamId, c.Version, cancellationToken))).ConfigureAwait(false);
        HealthFlowTelemetry.ClearsTakenOver.Add(commits.Count);
        _logger.LogInformation("Removed the overdue outbox marks of {Count} commits this process had published, instead of publishing them again", commits.Count);
    }

    // One PutEvents call takes ten entries: after an outage, a backlog drains ten commits a call, not one.
    private const int MaxEventsPerPublish = 10;

    // A relayed commit has no request span around it; parenting the relay to the span that appended
    // the (first) commit keeps the late publish inside the original trace; the others are linked.
    private async Task<int> RelayAsync(IReadOnlyList<IReadOnlyList<EventEnvelope>> commits, CancellationToken cancellationToken)
    {
        var contexts = commits
            .Select(c => ActivityContext.TryParse(c[0].Metadata.Traceparent, c[0].Metadata.Tracestate, isRemote: true, out var context) ? context : default)
            .ToList();
        using var activity = HealthFlowTelemetry.ActivitySource.StartActivity(
            "outbox relay", ActivityKind.Internal, contexts[0], links: contexts.Skip(1).Where(c => c != default).Select(c => new ActivityLink(c)));
        activity?.SetTag("healthflow.stream_id", commits[0][0].StreamId);
        activity?.SetTag("healthflow.commits", commits.Count);
        var outcomes = await _publisher.PublishCommitsAsync(commits, cancellationToken).ConfigureAwait(false);
        var published = new List<IReadOnlyList<EventEnvelope>>();
        var failed = 0;
        for (var i = 0; i < commits.Count; i++)
        {
            var (streamId, version) = (commits[i][0].StreamId, commits[i][0].Version);
            switch (outcomes[i])
            {
                case CommitPublishOutcome.Published:
                    published.Add(commits[i]);
                    _failedAttempts.TryRemove((streamId, version), out _);
                    break;
                case CommitPublishOutcome.Unpublishable refused:
                    await ParkAsync(streamId, version, refused.Reason, cancellationToken).ConfigureAwait(false);
                    failed++;
                    break;
                case CommitPublishOutcome.EntryFailed entryFailed:
                    // The bus took the call and refused this commit: counted, and parked once it keeps happening.
                    var attempts = _failedAttempts.AddOrUpdate((streamId, version), 1, (_, n) => n + 1);
                    if (attempts >= _options.MaxPublishAttempts)
                        await ParkAsync(streamId, version, $"{attempts} attempts refused; the last: {entryFailed.Reason}", cancellationToken).ConfigureAwait(false);
                    else
                        _logger.LogWarning("Relaying {StreamId}@{Version} failed (attempt {Attempts} of {Max}): {Reason}", streamId, version, attempts, _options.MaxPublishAttempts, entryFailed.Reason);
                    failed++;
                    break;
                case CommitPublishOutcome.BusUnavailable unavailable:
                    // Says nothing about the commit (the bus is slow or down): it stays pending, not counted.
                    _logger.LogWarning("Relaying {StreamId}@{Version} failed; the next sweep retries it: {Reason}", streamId, version, unavailable.Reason);
                    failed++;
                    break;
            }
        }

        if (failed > 0)
            activity?.SetStatus(ActivityStatusCode.Error, $"{failed} of {commits.Count} commits not published");

        await Task.WhenAll(published.Select(c => OutboxMarks.ClearAsync(_dynamo, c[0].StreamId, c[0].Version, cancellationToken))).ConfigureAwait(false);
        HealthFlowTelemetry.Relayed.Add(published.Count);
        foreach (var commit in published)
        {
            _logger.LogInformation("Relayed {StreamId}@{Version} ({Count} events) from the outbox", commit[0].StreamId, commit[0].Version, commit.Count);
        }

        return published.Count;
    }

    private async Task ParkAsync(string streamId, long version, string reason, CancellationToken cancellationToken)
    {
        _failedAttempts.TryRemove((streamId, version), out _);
        if (await OutboxParking.ParkAsync(_dynamo, streamId, version, reason, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            HealthFlowTelemetry.Parked.Add(1);
            _logger.LogError("Parked {StreamId}@{Version}: it can never be published as it is ({Reason}). `healthflow outbox list` shows it, `healthflow outbox replay` publishes it.",
                streamId, version, reason);
        }
    }

    private async IAsyncEnumerable<Dictionary<string, AttributeValue>> ReadDueAsync(
        string shard, string cutoff, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The index hands out keys only (no task role may read more of it, since it holds every service's
        // commits): each due commit is read from the table, where LeadingKeys keeps it to this service's streams.
        await foreach (var page in QueryShardAsync(shard, cutoff, Select.SPECIFIC_ATTRIBUTES, cancellationToken).ConfigureAwait(false))
        {
            foreach (var key in page.Items ?? [])
            {
                GetItemResponse commit;
                using (SuppressInstrumentationScope.Begin())
                {
                    commit = await _dynamo.GetItemAsync(new GetItemRequest
                    {
                        TableName = CommitItems.Table,
                        Key = CommitItems.Key(key[CommitItems.StreamId].S, CommitItems.VersionOf(key)),
                        ConsistentRead = true,
                    }, cancellationToken).ConfigureAwait(false);
                }

                // Its writer may have removed the mark since the index (eventually consistent) was read.
                if (commit.Item is { Count: > 0 } item && item.ContainsKey(CommitItems.Pending))
                    yield return item;
            }
        }
    }

    // For the outbox-pending gauge: every commit of the shard still marked, young or old.
    private async Task<long> CountPendingAsync(string shard, CancellationToken cancellationToken)
    {
        long count = 0;
        await foreach (var page in QueryShardAsync(shard, committedBefore: null, Select.COUNT, cancellationToken).ConfigureAwait(false))
            count += page.Count ?? 0;
        return count;
    }

    /// <summary>The pages of one outbox shard, optionally only commits older than <paramref name="committedBefore"/> (a key condition).</summary>
    private async IAsyncEnumerable<QueryResponse> QueryShardAsync(
        string shard, string? committedBefore, Select select, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new QueryRequest
        {
            TableName = CommitItems.Table,
            IndexName = Topology.HealthFlowTopology.Indexes.Outbox,
            KeyConditionExpression = committedBefore is null ? "#pending = :shard" : "#pending = :shard AND #committedAt < :cutoff",
            ExpressionAttributeNames = new() { ["#pending"] = CommitItems.Pending },
            ExpressionAttributeValues = new() { [":shard"] = new AttributeValue { S = shard } },
            Select = select,
        };
        if (select == Select.SPECIFIC_ATTRIBUTES)
        {
            request.ProjectionExpression = "#stream, #version";
            request.ExpressionAttributeNames["#stream"] = CommitItems.StreamId;
            request.ExpressionAttributeNames["#version"] = CommitItems.Version;
        }

        if (_streamPrefixes.Count > 0)
        {
            request.FilterExpression = string.Join(" OR ", _streamPrefixes.Select((_, i) => $"begins_with(#stream, :stream{i})"));
            request.ExpressionAttributeNames["#stream"] = CommitItems.StreamId;
            for (var i = 0; i < _streamPrefixes.Count; i++)
                request.ExpressionAttributeValues[$":stream{i}"] = new AttributeValue { S = _streamPrefixes[i] };
        }

        if (committedBefore is not null)
        {
            request.ExpressionAttributeNames["#committedAt"] = CommitItems.CommittedAt;
            request.ExpressionAttributeValues[":cutoff"] = new AttributeValue { S = committedBefore };
        }

        do
        {
            QueryResponse page;
            // A sweep every two seconds would otherwise put a root trace in the dashboard each time.
            using (SuppressInstrumentationScope.Begin())
            {
                page = await _dynamo.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            }

            yield return page;
            request.ExclusiveStartKey = page.LastEvaluatedKey is { Count: > 0 } ? page.LastEvaluatedKey : null;
        }
        while (request.ExclusiveStartKey is not null);
    }

    private async Task ReleaseLeasesAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        foreach (var shard in CommitItems.OutboxShardValues)
        {
            try
            {
                await _leases.ReleaseAsync(LeaseName(_options.Service, shard), timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // It expires on its own; another instance takes it over then.
                _logger.LogDebug(ex, "Releasing the lease of outbox shard {Shard} failed", shard);
            }
        }
    }

    public override void Dispose()
    {
        HealthFlowTelemetry.UnregisterOutbox(this);
        base.Dispose();
    }
}
