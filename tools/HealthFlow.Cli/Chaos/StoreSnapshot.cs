using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.Domain;
using HealthFlow.EventStore;
using HealthFlow.Topology;

namespace HealthFlow.Cli.Chaos;

/// <summary>An observations read-model row: which check-in it shows, for whom.</summary>
public sealed record ObservationRow(Guid ObservationId, Guid PatientId);

/// <summary>An alerts read-model row, as far as the checker compares it with the streams.</summary>
public sealed record AlertRow(Guid AlertId, Guid PatientId, Guid? ObservationId, string Status, string? AcknowledgedBy, int? EscalationLevel);

/// <summary>An audit read-model row, as far as the checker compares it with its <c>PatientDataAccessed</c> event.</summary>
public sealed record AuditRow(Guid RecordId, string Actor, Guid? PatientId, string Action, int Count, string Outcome, string? CorrelationId);

/// <summary>A commit still marked in the outbox (`pending` is the shard, or `parked`).</summary>
public sealed record OutboxMark(string StreamId, long Version, string Pending);

/// <summary>A message in a dead-letter queue.</summary>
public sealed record DeadLetter(string Queue, string Body);

/// <summary>
/// A row of the `leases` table. <see cref="OwnerRunning"/>: whether the owner's process still runs, when it ran on
/// this machine (the owner is "machine/pid/instance"); null when that cannot be told from here.
/// </summary>
public sealed record LeaseRow(string Name, string? Owner, DateTimeOffset? LeaseUntil, bool? OwnerRunning = null)
{
    public static bool? IsRunningHere(string? owner) =>
        owner?.Split('/') is [var machine, var pid, ..] && machine == Environment.MachineName && int.TryParse(pid, out var id) && OperatingSystem.IsLinux()
            ? Directory.Exists($"/proc/{id}")
            : null;
}

/// <summary>
/// The stores as they are once the system is quiescent: every event of every stream (the ground truth, where a
/// duplicate shows), the read-model rows derived from them, and what is left on the way (outbox, dead letters,
/// leases). Read once, as the administrator; the checker and the exactly-once ledger are functions of it.
/// </summary>
public sealed record StoreSnapshot(
    IReadOnlyList<EventEnvelope> Events,
    IReadOnlyList<ObservationRow> Observations,
    IReadOnlyList<AlertRow> Alerts,
    IReadOnlyList<AuditRow> Audit,
    IReadOnlyList<OutboxMark> Outbox,
    IReadOnlyList<DeadLetter> DeadLetters,
    IReadOnlyList<LeaseRow> Leases,
    DateTimeOffset TakenAt)
{
    /// <summary>Every dead-letter queue: each work queue's, and EventBridge's delivery DLQ.</summary>
    public static readonly IReadOnlyList<string> DeadLetterQueues =
        [.. HealthFlowTopology.Queues.All.Select(q => q.DeadLetterQueueName), HealthFlowTopology.Delivery.DeadLetterQueueName];

    public static async Task<StoreSnapshot> ReadAsync(IEventStore store, IAmazonDynamoDB dynamo, IAmazonSQS sqs, TimeProvider time, CancellationToken cancellationToken)
    {
        var events = new List<EventEnvelope>();
        await foreach (var envelope in store.ReadAllAsync(cancellationToken))
        {
            events.Add(envelope);
        }

        var observations = (await ScanAsync(dynamo, HealthFlowTopology.Tables.Observations.Name, null, cancellationToken))
            .Select(i => new ObservationRow(Guid.Parse(i["observationId"].S), Guid.Parse(i["patientId"].S)))
            .ToList();
        var alerts = (await ScanAsync(dynamo, HealthFlowTopology.Tables.Alerts.Name, null, cancellationToken))
            .Select(i => new AlertRow(
                Guid.Parse(i["alertId"].S),
                Guid.Parse(i["patientId"].S),
                i.TryGetValue("observationId", out var o) ? Guid.Parse(o.S) : null,
                i["status"].S,
                i.TryGetValue("acknowledgedBy", out var by) ? by.S : null,
                i.TryGetValue("escalationLevel", out var level) ? int.Parse(level.N, System.Globalization.CultureInfo.InvariantCulture) : null))
            .ToList();
        var audit = (await ScanAsync(dynamo, HealthFlowTopology.Tables.Audit.Name, null, cancellationToken))
            .Select(i => new AuditRow(
                Guid.Parse(i["recordId"].S),
                i["actor"].S,
                i.TryGetValue("patientId", out var p) ? Guid.Parse(p.S) : null,
                i["action"].S,
                int.Parse(i["count"].N, System.Globalization.CultureInfo.InvariantCulture),
                i["outcome"].S,
                i.TryGetValue("correlationId", out var c) ? c.S : null))
            .ToList();
        var outbox = (await ScanAsync(dynamo, HealthFlowTopology.Tables.Events.Name, HealthFlowTopology.Indexes.Outbox, cancellationToken))
            .Select(i => new OutboxMark(
                i.TryGetValue("streamId", out var s) ? s.S : "?",
                i.TryGetValue("version", out var v) ? long.Parse(v.N, System.Globalization.CultureInfo.InvariantCulture) : 0,
                i.TryGetValue("pending", out var pending) ? pending.S : "?"))
            .ToList();
        var leases = await ReadLeasesAsync(dynamo, cancellationToken);
        var deadLetters = await ReadDeadLettersAsync(sqs, cancellationToken);
        return new StoreSnapshot(events, observations, alerts, audit, outbox, deadLetters, leases, time.GetUtcNow());
    }

    public static async Task<IReadOnlyList<LeaseRow>> ReadLeasesAsync(IAmazonDynamoDB dynamo, CancellationToken cancellationToken) =>
        [.. (await ScanAsync(dynamo, HealthFlowTopology.Tables.Leases.Name, null, cancellationToken))
            .Select(i => new LeaseRow(
                i["name"].S,
                i.TryGetValue("owner", out var owner) ? owner.S : null,
                i.TryGetValue("leaseUntil", out var until) ? DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(until.N, System.Globalization.CultureInfo.InvariantCulture)) : null,
                LeaseRow.IsRunningHere(i.TryGetValue("owner", out var o) ? o.S : null)))];

    private static async Task<List<Dictionary<string, AttributeValue>>> ScanAsync(
        IAmazonDynamoDB dynamo, string table, string? index, CancellationToken cancellationToken)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await dynamo.ScanAsync(new ScanRequest { TableName = table, IndexName = index, ExclusiveStartKey = start }, cancellationToken);
            items.AddRange(page.Items);
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
        return items;
    }

    /// <summary>Every message in the DLQs, each held invisible until all are read (so none is read twice) and then released.</summary>
    private static async Task<List<DeadLetter>> ReadDeadLettersAsync(IAmazonSQS sqs, CancellationToken cancellationToken)
    {
        var deadLetters = new List<DeadLetter>();
        foreach (var queue in DeadLetterQueues)
        {
            var url = (await sqs.GetQueueUrlAsync(queue, cancellationToken)).QueueUrl;
            var held = new List<Message>();
            while (true)
            {
                var received = await sqs.ReceiveMessageAsync(
                    new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, WaitTimeSeconds = 0, VisibilityTimeout = 30 }, cancellationToken);
                if (received.Messages is not { Count: > 0 } messages)
                {
                    break;
                }

                held.AddRange(messages);
                deadLetters.AddRange(messages.Select(m => new DeadLetter(queue, m.Body)));
            }

            foreach (var chunk in held.Chunk(10))
            {
                await sqs.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest
                {
                    QueueUrl = url,
                    Entries = [.. chunk.Select((m, i) => new ChangeMessageVisibilityBatchRequestEntry($"{i}", m.ReceiptHandle) { VisibilityTimeout = 0 })],
                }, cancellationToken);
            }
        }

        return deadLetters;
    }
}
