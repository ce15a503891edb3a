using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using HealthFlow.Aws.Diagnostics;
using HealthFlow.Aws.EventBridge;
using HealthFlow.Aws.Topology;
using HealthFlow.Domain;
using Microsoft.Extensions.Options;

namespace HealthFlow.Aws.Messaging;

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

    private IEnumerable<List<(EventEnvelope, PutEventsRequestEntry)>> Batches(IReadOnlyList<EventEnvelope> events)
    {
        var batch = new List<(EventEnvelope, PutEventsRequestEntry)>(MaxEntriesPerCall);
        var bytes = 0;
        foreach (var envelope in events)
        {
            var entry = new PutEventsRequestEntry(
                _source,
                envelope.Type,
                JsonSerializer.Serialize(envelope, DomainJson.Options),
                HealthFlowTopology.EventBusName,
                Time: envelope.OccurredAt);
            var size = Encoding.UTF8.GetByteCount(entry.Source) + Encoding.UTF8.GetByteCount(entry.DetailType) + Encoding.UTF8.GetByteCount(entry.Detail);
            if (batch.Count == MaxEntriesPerCall || (batch.Count > 0 && bytes + size > MaxBytesPerCall))
            {
                yield return batch;
                batch = new List<(EventEnvelope, PutEventsRequestEntry)>(MaxEntriesPerCall);
                bytes = 0;
            }

            batch.Add((envelope, entry));
            bytes += size;
        }

        if (batch.Count > 0)
            yield return batch;
    }
}
