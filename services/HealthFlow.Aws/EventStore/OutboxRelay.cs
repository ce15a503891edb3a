using System.Diagnostics;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Aws.Diagnostics;
using HealthFlow.Aws.Messaging;
using HealthFlow.Domain;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace HealthFlow.Aws.EventStore;

/// <summary>
/// Publishes commits that their writer did not (publish failed, process died between append and
/// publish). Sweeps the sparse outbox index and republishes what has been pending for longer than
/// <see cref="OutboxOptions.RepublishAfter"/>; together with the writer's own publish this makes
/// publication at least once.
/// </summary>
public sealed class OutboxRelay : BackgroundService
{
    private readonly IAmazonDynamoDB _dynamo;
    private readonly IEventPublisher _publisher;
    private readonly OutboxOptions _options;
    private readonly ILogger<OutboxRelay> _logger;
    private readonly TimeProvider _time;
    private readonly HealthFlowTelemetry.OutboxGauge _pendingGauge;

    public OutboxRelay(
        IAmazonDynamoDB dynamo,
        IEventPublisher publisher,
        IOptions<OutboxOptions> options,
        ILogger<OutboxRelay> logger,
        TimeProvider? timeProvider = null)
    {
        _dynamo = dynamo;
        _publisher = publisher;
        _options = options.Value;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _pendingGauge = HealthFlowTelemetry.RegisterOutbox(this);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.RelayEnabled)
        {
            _logger.LogInformation("Outbox relay disabled by configuration");
            return;
        }

        using var timer = new PeriodicTimer(_options.SweepInterval, _time);
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

    /// <summary>
    /// One sweep: publishes every commit pending for longer than <see cref="OutboxOptions.RepublishAfter"/>
    /// and clears its mark. Returns how many commits it published.
    /// </summary>
    public async Task<int> RelayPendingAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = CommitItems.FormatTime(_time.GetUtcNow() - _options.RepublishAfter);
        var pending = 0;
        var relayed = 0;
        foreach (var shard in CommitItems.OutboxShardValues)
        {
            await foreach (var item in ReadShardAsync(shard, cancellationToken).ConfigureAwait(false))
            {
                pending++;
                if (string.CompareOrdinal(item[CommitItems.CommittedAt].S, cutoff) >= 0)
                    continue;

                var envelopes = CommitItems.ToEnvelopes(item).ToList();
                var streamId = item[CommitItems.StreamId].S;
                var version = CommitItems.VersionOf(item);
                if (!await RelayAsync(envelopes, cancellationToken).ConfigureAwait(false))
                    continue;

                pending--;
                relayed++;
                HealthFlowTelemetry.Relayed.Add(1);
                _logger.LogInformation("Relayed {StreamId}@{Version} ({Count} events) from the outbox", streamId, version, envelopes.Count);
            }
        }

        Interlocked.Exchange(ref _pendingGauge.Pending, pending);
        return relayed;
    }

    // A relayed commit has no request span around it; parenting the relay to the span that
    // appended the commit keeps the late publish (and the mark's removal) inside the original trace.
    private async Task<bool> RelayAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken)
    {
        var commit = envelopes[0];
        ActivityContext.TryParse(commit.Metadata.Traceparent, commit.Metadata.Tracestate, isRemote: true, out var parent);
        using var activity = HealthFlowTelemetry.ActivitySource.StartActivity("outbox relay", ActivityKind.Internal, parent);
        activity?.SetTag("healthflow.stream_id", commit.StreamId);
        activity?.SetTag("healthflow.version", commit.Version);
        try
        {
            await _publisher.PublishAsync(envelopes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Stays pending; the next sweep retries it.
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            _logger.LogWarning(ex, "Relaying {StreamId}@{Version} failed", commit.StreamId, commit.Version);
            return false;
        }

        await DynamoEventStore.ClearPendingAsync(_dynamo, commit.StreamId, commit.Version, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async IAsyncEnumerable<Dictionary<string, AttributeValue>> ReadShardAsync(
        string shard, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            QueryResponse page;
            // A sweep every two seconds would otherwise put a root trace in the dashboard each time.
            using (SuppressInstrumentationScope.Begin())
            {
                page = await _dynamo.QueryAsync(new QueryRequest
                {
                    TableName = CommitItems.Table,
                    IndexName = Topology.HealthFlowTopology.Indexes.Outbox,
                    KeyConditionExpression = "#pending = :shard",
                    ExpressionAttributeNames = new() { ["#pending"] = CommitItems.Pending },
                    ExpressionAttributeValues = new() { [":shard"] = new AttributeValue { S = shard } },
                    ExclusiveStartKey = startKey,
                }, cancellationToken).ConfigureAwait(false);
            }

            foreach (var item in page.Items ?? [])
                yield return item;

            startKey = page.LastEvaluatedKey is { Count: > 0 } ? page.LastEvaluatedKey : null;
        }
        while (startKey is not null);
    }

    public override void Dispose()
    {
        HealthFlowTelemetry.UnregisterOutbox(this);
        base.Dispose();
    }
}
