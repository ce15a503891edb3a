using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using HealthFlow.Domain;
using HealthFlow.EventBridge;
using HealthFlow.Topology;
using Microsoft.Extensions.Options;

namespace HealthFlow.EventStore;

/// <summary>Bound from "HealthFlow:Publisher".</summary>
public sealed class EventPublisherOptions
{
    public const string Section = "HealthFlow:Publisher";

    /// <summary>
    /// The EventBridge <c>Source</c>: <c>healthflow.&lt;service&gt;</c>. Defaults to the service name
    /// (HealthFlow:ServiceName, then OTEL_SERVICE_NAME, then the application name).
    /// </summary>
    [Required]
    [RegularExpression(@"^healthflow\.[a-z0-9][a-z0-9._-]*$", ErrorMessage = "Source must look like healthflow.<service>.")]
    public string Source { get; set; } = string.Empty;

    /// <summary>Turns a service or application name into a Source: "HealthFlow.Command.Api" and "command-api" both give "healthflow.command-api".</summary>
    public static string SourceFor(string serviceName)
    {
        var name = serviceName.Trim().ToLowerInvariant();
        if (name.StartsWith(HealthFlowTopology.SourcePrefix, StringComparison.Ordinal))
            name = name[HealthFlowTopology.SourcePrefix.Length..];
        return HealthFlowTopology.SourcePrefix + name.Replace('.', '-').Replace(' ', '-');
    }
}

/// <summary>The events of one commit could not all be put on the bus; the commit stays in the outbox.</summary>
public sealed class EventPublishException(string message) : Exception(message);

/// <summary>
/// Publishes envelopes to the HealthFlow bus: DetailType = event type, Detail = the envelope.
/// Any entry EventBridge reports as failed fails the whole call, so the commit stays pending and
/// the outbox relay retries it (consumers are idempotent, so the entries that did go through may repeat).
/// </summary>
public sealed class EventBridgePublisher(EventBridgeClient client, IOptions<EventPublisherOptions> options) : IEventPublisher
{
    private const int MaxEntriesPerCall = 10;

    // PutEvents accepts at most 256 KB per call, counting Source, DetailType and Detail of each entry.
    private const int MaxBytesPerCall = 256 * 1024;

    private readonly string _source = options.Value.Source;

    public async Task PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
            return;

        using var activity = HealthFlowTelemetry.ActivitySource.StartActivity($"publish {HealthFlowTopology.EventBusName}", ActivityKind.Producer);
        activity?.SetTag("messaging.system", "aws.eventbridge");
        activity?.SetTag("messaging.operation.type", "send");
        activity?.SetTag("messaging.destination.name", HealthFlowTopology.EventBusName);
        activity?.SetTag("messaging.batch.message_count", events.Count);
        activity?.SetTag("messaging.message.id", events[0].EventId.ToString());
        activity?.SetTag("healthflow.stream_id", events[0].StreamId);

        try
        {
            foreach (var batch in Batches(events))
                await PutBatchAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.AddException(ex);
            throw;
        }
    }

    private async Task PutBatchAsync(IReadOnlyList<(EventEnvelope Event, PutEventsRequestEntry Entry)> batch, CancellationToken cancellationToken)
    {
        var response = await client.PutEventsAsync(batch.Select(b => b.Entry).ToList(), cancellationToken).ConfigureAwait(false);
        var failures = response.Entries
            .Select((result, index) => (result, index))
            .Where(r => !r.result.Succeeded)
            .Select(r => $"{batch[r.index].Event.EventId} ({r.result.ErrorCode}: {r.result.ErrorMessage})")
            .ToList();
        if (response.FailedEntryCount > 0 || failures.Count > 0)
        {
            throw new EventPublishException(
                $"EventBridge rejected {Math.Max(response.FailedEntryCount, failures.Count)} of {batch.Count} events: {string.Join(", ", failures)}");
        }

        HealthFlowTelemetry.EventsPublished.Add(batch.Count);
    }

    /// <summary>
    /// Publishes commit by commit as far as EventBridge is concerned, in as few calls as the limits allow: an event
    /// over the 256 KB entry limit is never sent (its commit is <see cref="CommitPublishOutcome.Unpublishable"/>), a
    /// call refused as a whole is tried again entry by entry, and the per-entry results of PutEvents decide each
    /// commit's outcome, so one bad commit cannot fail the others.
    /// </summary>
    public async Task<IReadOnlyList<CommitPublishOutcome>> PublishCommitsAsync(
        IReadOnlyList<IReadOnlyList<EventEnvelope>> commits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commits);
        var outcomes = new CommitPublishOutcome?[commits.Count];
        var entries = new List<(int Commit, EventEnvelope Event, PutEventsRequestEntry Entry, int Size)>();
        for (var c = 0; c < commits.Count; c++)
        {
            foreach (var envelope in commits[c])
            {
                var entry = EntryOf(envelope);
                var size = SizeOf(entry);
                if (size > MaxBytesPerCall)
                {
                    outcomes[c] = new CommitPublishOutcome.Unpublishable(
                        $"Event {envelope.EventId} ({envelope.Type}) is {size} bytes, over EventBridge's limit of {MaxBytesPerCall} bytes per entry.");
                }

                entries.Add((c, envelope, entry, size));
            }
        }

        var sendable = entries.Where(e => outcomes[e.Commit] is null).ToList();
        foreach (var batch in Batches(sendable, e => e.Size))
        {
            await PutEachAsync(batch, outcomes, allowSplit: true, cancellationToken).ConfigureAwait(false);
        }

        return [.. outcomes.Select(o => o ?? new CommitPublishOutcome.Published())];
    }

    private async Task PutEachAsync(
        IReadOnlyList<(int Commit, EventEnvelope Event, PutEventsRequestEntry Entry, int Size)> batch,
        CommitPublishOutcome?[] outcomes,
        bool allowSplit,
        CancellationToken cancellationToken)
    {
        PutEventsResponse response;
        try
        {
            response = await client.PutEventsAsync([.. batch.Select(b => b.Entry)], cancellationToken).ConfigureAwait(false);
        }
        catch (EventBridgeException ex) when (ex.RefusesTheRequest && allowSplit && batch.Count > 1)
        {
            // Refused as a whole: find out which entry it was, so that the others still go out.
            foreach (var single in batch)
                await PutEachAsync([single], outcomes, allowSplit: false, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (EventBridgeException ex) when (ex.RefusesTheRequest)
        {
            foreach (var (commit, _, _, _) in batch)
                outcomes[commit] = Worse(outcomes[commit], new CommitPublishOutcome.Unpublishable(ex.Message));
            return;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            foreach (var (commit, _, _, _) in batch)
                outcomes[commit] = Worse(outcomes[commit], new CommitPublishOutcome.BusUnavailable(ex.Message));
            return;
        }

        var published = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var result = i < response.Entries.Count ? response.Entries[i] : null;
            if (result is { Succeeded: true })
            {
                published++;
                continue;
            }

            var reason = $"EventBridge refused event {batch[i].Event.EventId}: {result?.ErrorCode ?? "no result"}: {result?.ErrorMessage}";
            outcomes[batch[i].Commit] = Worse(outcomes[batch[i].Commit], result?.ErrorCode is "MalformedDetail" or "InvalidArgument"
                ? new CommitPublishOutcome.Unpublishable(reason)
                : new CommitPublishOutcome.EntryFailed(reason));
        }

        HealthFlowTelemetry.EventsPublished.Add(published);
    }

    private static CommitPublishOutcome Worse(CommitPublishOutcome? current, CommitPublishOutcome next) =>
        Rank(next) > Rank(current) ? next : current!;

    private static int Rank(CommitPublishOutcome? outcome) => outcome switch
    {
        CommitPublishOutcome.Unpublishable => 3,
        CommitPublishOutcome.EntryFailed => 2,
        CommitPublishOutcome.BusUnavailable => 1,
        _ => 0,
    };

    private PutEventsRequestEntry EntryOf(EventEnvelope envelope) => new(
        _source,
        envelope.Type,
        JsonSerializer.Serialize(envelope, DomainJson.Options),
        HealthFlowTopology.EventBusName,
        Time: envelope.OccurredAt);

    // EventBridge counts the Time (14 bytes), Source, DetailType and Detail of an entry.
    private static int SizeOf(PutEventsRequestEntry entry) =>
        14 + Encoding.UTF8.GetByteCount(entry.Source) + Encoding.UTF8.GetByteCount(entry.DetailType) + Encoding.UTF8.GetByteCount(entry.Detail);

    private static IEnumerable<List<T>> Batches<T>(IEnumerable<T> entries, Func<T, int> sizeOf)
    {
        var batch = new List<T>(MaxEntriesPerCall);
        var bytes = 0;
        foreach (var entry in entries)
        {
            var size = sizeOf(entry);
            if (batch.Count == MaxEntriesPerCall || (batch.Count > 0 && bytes + size > MaxBytesPerCall))
            {
                yield return batch;
                batch = new List<T>(MaxEntriesPerCall);
                bytes = 0;
            }

            batch.Add(entry);
            bytes += size;
        }

        if (batch.Count > 0)
            yield return batch;
    }

    private IEnumerable<List<(EventEnvelope, PutEventsRequestEntry)>> Batches(IReadOnlyList<EventEnvelope> events) =>
        Batches(events.Select(e => (e, EntryOf(e))), e => SizeOf(e.Item2));
}
