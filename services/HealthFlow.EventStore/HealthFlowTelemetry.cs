using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace HealthFlow.EventStore;

/// <summary>
/// The ActivitySource and Meter of the messaging path (append, publish, relay, consume).
/// ServiceDefaults subscribes to every "HealthFlow.*" source and meter, which includes these.
/// </summary>
public static class HealthFlowTelemetry
{
    public const string ActivitySourceName = "HealthFlow.Messaging";
    public const string MeterName = "HealthFlow.Messaging";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);
    public static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> EventsAppended =
        Meter.CreateCounter<long>("healthflow.events.appended", "{event}", "Events committed to the event store.");

    public static readonly Counter<long> EventsPublished =
        Meter.CreateCounter<long>("healthflow.events.published", "{event}", "Events accepted by the EventBridge bus.");

    public static readonly Counter<long> PublishFailures =
        Meter.CreateCounter<long>("healthflow.outbox.publish_failures", "{commit}", "Commits whose immediate publish failed and were left to the outbox relay.");

    public static readonly Counter<long> Relayed =
        Meter.CreateCounter<long>("healthflow.outbox.relayed", "{commit}", "Commits published late by the outbox relay.");

    public static readonly Counter<long> Parked =
        Meter.CreateCounter<long>("healthflow.outbox.parked", "{commit}", "Commits the outbox relay set aside because they can never be published (`healthflow outbox list`).");

    public static readonly Counter<long> ClearsTakenOver =
        Meter.CreateCounter<long>("healthflow.outbox.republishes_avoided", "{commit}", "Due commits the relay did not republish because this process had published them and their mark's removal was still queued.");

    public static readonly Counter<long> AuditCommitFailures =
        Meter.CreateCounter<long>("healthflow.audit.commit_failures", "{commit}", "Audit group commits given up: `outcome` rejected (can never be stored) or abandoned (every waiting request had been answered 503).");

    public static readonly Counter<long> MessagesHandled =
        Meter.CreateCounter<long>("healthflow.consumer.messages.handled", "{message}", "Messages whose consumer succeeded and that were deleted.");

    public static readonly Counter<long> MessagesFailed =
        Meter.CreateCounter<long>("healthflow.consumer.messages.failed", "{message}", "Messages whose consumer still failed after MassTransit's retries, or that could not be read; left for redelivery and, in the end, the DLQ.");

    public static readonly Counter<long> MessagesUnknown =
        Meter.CreateCounter<long>("healthflow.consumer.messages.unknown", "{message}", "Messages of a type no consumer here handles; released at once for the DLQ, where they can be redriven.");

    public static readonly Counter<long> VisibilityExtended =
        Meter.CreateCounter<long>("healthflow.consumer.visibility_extended", "{extension}", "Times a slow consumer's message was kept invisible for longer.");

    public static readonly Counter<long> VisibilityExtensionFailures =
        Meter.CreateCounter<long>("healthflow.consumer.visibility_extension_failures", "{attempt}", "Visibility extensions that failed and were retried with backoff.");

    public static readonly Histogram<double> HandlerDuration =
        Meter.CreateHistogram<double>("healthflow.consumer.handler.duration", "s", "Time MassTransit's consume pipeline took for one message, retries included.");

    public static readonly Histogram<double> MessageAge =
        Meter.CreateHistogram<double>("healthflow.consumer.message.age", "s", "Age of each message when it was received (now - SentTimestamp).");

    // Observable state, keyed so that several relays or consumers in one process (tests, the
    // projections worker) report side by side instead of overwriting one another.
    private static readonly ConcurrentDictionary<string, QueueGauges> Queues = new();
    private static readonly ConcurrentDictionary<object, OutboxGauge> Outboxes = new();

    static HealthFlowTelemetry()
    {
        Meter.CreateObservableGauge("healthflow.outbox.pending", ObserveOutbox, "{commit}",
            "Commits stored but not yet published, as seen by the last outbox sweep.");
        Meter.CreateObservableGauge("healthflow.consumer.lag", () => ObserveQueues(q => q.OldestMessageAgeSeconds), "s",
            "Consumer lag: age of the oldest message in the last receive (now - SentTimestamp); 0 when the queue was empty.");
        Meter.CreateObservableGauge("healthflow.queue.depth", () => ObserveQueues(q => q.Depth), "{message}",
            "ApproximateNumberOfMessages of the queue.");
        Meter.CreateObservableGauge("healthflow.queue.in_flight", () => ObserveQueues(q => q.InFlight), "{message}",
            "ApproximateNumberOfMessagesNotVisible of the queue.");
        Meter.CreateObservableGauge("healthflow.queue.dead_letters", () => ObserveQueues(q => q.DeadLetters), "{message}",
            "ApproximateNumberOfMessages of the queue's DLQ.");
    }

    public static QueueGauges ForQueue(string queueName) => Queues.GetOrAdd(queueName, static name => new QueueGauges(name));

    public static OutboxGauge RegisterOutbox(object owner) => Outboxes.GetOrAdd(owner, static _ => new OutboxGauge());

    public static void UnregisterOutbox(object owner) => Outboxes.TryRemove(owner, out _);

    // Every relay sweeps the same table and so sees the same backlog: report it once, not summed.
    private static long ObserveOutbox()
    {
        long total = 0;
        foreach (var gauge in Outboxes.Values)
            total = Math.Max(total, Interlocked.Read(ref gauge.Pending));
        return total;
    }

    private static IEnumerable<Measurement<double>> ObserveQueues(Func<QueueGauges, double?> select)
    {
        foreach (var queue in Queues.Values)
        {
            if (select(queue) is { } value)
                yield return new Measurement<double>(value, new KeyValuePair<string, object?>("queue", queue.Name));
        }
    }

    public sealed class QueueGauges(string name)
    {
        public string Name { get; } = name;
        public double? OldestMessageAgeSeconds { get; set; }
        public double? Depth { get; set; }
        public double? InFlight { get; set; }
        public double? DeadLetters { get; set; }
    }

    public sealed class OutboxGauge
    {
        public long Pending;
    }
}
