using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;
using HealthFlow.Topology;
using Microsoft.Extensions.DependencyInjection;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// "Exactly once", checked where a duplicate would show: in the event store itself. The read models are keyed by
/// the ids they would have to count (an alert row by its alert id, an observation row by its observation id), so
/// a second <c>AlertRaised</c> in an alert's stream, or an alert under another id, collapses there into one row.
/// The ledger reads every event of every stream and counts, per check-in, the <c>ObservationSubmitted</c> events
/// and the <c>AlertRaised</c> events that name it, wherever they are stored.
/// Beyond the streams, "once" also means "not stuck on the way": a commit of a check-in or its alert still marked in
/// the outbox (never relayed, or parked) and a message of either in a dead-letter queue (SQS's, or EventBridge's
/// delivery DLQ) are violations too. A commit relayed twice leaves no trace in the store; it reaches the consumers as a
/// redelivery, whose effect the counts above would show.
/// </summary>
public sealed class ExactlyOnceLedger
{
    private readonly Dictionary<Guid, int> _submitted = [];
    private readonly Dictionary<Guid, List<string>> _alertsRaised = [];
    private readonly Dictionary<string, List<string>> _outboxMarks = [];
    private readonly List<(string Queue, string Body)> _deadLetters = [];

    // Every dead-letter queue a check-in's events or its alert's messages could end in.
    private static readonly string[] DeadLetterQueues =
        [.. HealthFlowTopology.Queues.All.Select(q => q.DeadLetterQueueName), HealthFlowTopology.Delivery.DeadLetterQueueName];

    private ExactlyOnceLedger()
    {
    }

    public static async Task<ExactlyOnceLedger> ReadAsync(SystemEventStore store)
    {
        var ledger = new ExactlyOnceLedger();
        await foreach (var envelope in store.Services.GetRequiredService<IEventStore>().ReadAllAsync())
        {
            switch (envelope.Type)
            {
                case EventTypes.ObservationSubmitted:
                    var observationId = envelope.DataAs<ObservationSubmitted>().ObservationId;
                    ledger._submitted[observationId] = ledger._submitted.GetValueOrDefault(observationId) + 1;
                    break;
                // A missed check-in's alert has no observation: it is no check-in's alert.
                case EventTypes.AlertRaised when envelope.DataAs<AlertRaised>() is { ObservationId: { } raisedFor }:
                    if (!ledger._alertsRaised.TryGetValue(raisedFor, out var where))
                    {
                        ledger._alertsRaised[raisedFor] = where = [];
                    }

                    where.Add($"{envelope.StreamId}@{envelope.Version}");
                    break;
            }
        }

        await ledger.ReadOutboxAsync(store.Services.GetRequiredService<IAmazonDynamoDB>());
        await ledger.ReadDeadLettersAsync(store.Services.GetRequiredService<IAmazonSQS>());
        return ledger;
    }

    private async Task ReadOutboxAsync(IAmazonDynamoDB dynamo)
    {
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await dynamo.ScanAsync(new ScanRequest
            {
                TableName = HealthFlowTopology.Tables.Events.Name,
                IndexName = HealthFlowTopology.Indexes.Outbox,
                ExclusiveStartKey = start,
            });
            foreach (var item in page.Items)
            {
                var stream = item.TryGetValue("streamId", out var id) ? id.S : "?";
                var mark = $"{stream}@{(item.TryGetValue("version", out var version) ? version.N : "?")}" +
                    $" ({(item.TryGetValue("pending", out var pending) ? pending.S : "?")})";
                if (!_outboxMarks.TryGetValue(stream, out var marks))
                {
                    _outboxMarks[stream] = marks = [];
                }

                marks.Add(mark);
            }

            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
    }

    /// <summary>Every message in the DLQs, each held invisible until all are read (so none is read twice) and then released.</summary>
    private async Task ReadDeadLettersAsync(IAmazonSQS sqs)
    {
        foreach (var queue in DeadLetterQueues)
        {
            var url = (await sqs.GetQueueUrlAsync(queue)).QueueUrl;
            var held = new List<Message>();
            while (true)
            {
                var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, WaitTimeSeconds = 0, VisibilityTimeout = 30 });
                if (received.Messages is not { Count: > 0 } messages)
                {
                    break;
                }

                held.AddRange(messages);
                _deadLetters.AddRange(messages.Select(m => (queue, m.Body)));
            }

            foreach (var chunk in held.Chunk(10))
            {
                await sqs.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest
                {
                    QueueUrl = url,
                    Entries = [.. chunk.Select((m, i) => new ChangeMessageVisibilityBatchRequestEntry($"{i}", m.ReceiptHandle) { VisibilityTimeout = 0 })],
                });
            }
        }
    }

    /// <summary>
    /// Every accepted check-in stored once, every alarming one with exactly one <c>AlertRaised</c>, every calm one
    /// with none, and nothing of either left in the outbox or a dead-letter queue. Each violation names the check-in
    /// and where its events are, so one can be looked up.
    /// </summary>
    public IReadOnlyList<string> Violations(IEnumerable<Guid> accepted, IReadOnlySet<Guid> alarming)
    {
        var violations = new List<string>();
        foreach (var observationId in accepted)
        {
            var stored = _submitted.GetValueOrDefault(observationId);
            if (stored != 1)
            {
                violations.Add($"check-in {observationId} is stored {stored} times");
            }

            var raised = _alertsRaised.GetValueOrDefault(observationId) ?? [];
            var expected = alarming.Contains(observationId) ? 1 : 0;
            if (raised.Count != expected)
            {
                violations.Add(
                    $"{(expected == 1 ? "alarming" : "calm")} check-in {observationId} has {raised.Count} AlertRaised" +
                    (raised.Count > 0 ? $" ({string.Join(", ", raised)})" : ""));
            }

            var alertId = AlertId.For(observationId);
            foreach (var stream in new[] { StreamId.ForObservation(observationId).Value, StreamId.ForAlert(alertId).Value })
            {
                if (_outboxMarks.TryGetValue(stream, out var marks))
                {
                    violations.Add($"check-in {observationId} has commits still in the outbox: {string.Join(", ", marks)}");
                }
            }

            foreach (var (queue, body) in _deadLetters.Where(d => d.Body.Contains(observationId.ToString(), StringComparison.OrdinalIgnoreCase)
                || d.Body.Contains(alertId.ToString(), StringComparison.OrdinalIgnoreCase)))
            {
                violations.Add($"check-in {observationId} has a message dead-lettered in {queue}: {body[..Math.Min(body.Length, 200)]}");
            }
        }

        return violations;
    }

    /// <summary>Fails with every violation at once, rather than the first.</summary>
    public void AssertExactlyOnce(IReadOnlyCollection<Guid> accepted, IReadOnlySet<Guid> alarming)
    {
        Assert.NotEmpty(accepted);
        var violations = Violations(accepted, alarming);
        Assert.True(violations.Count == 0, $"{violations.Count} exactly-once violations:\n{string.Join("\n", violations)}");
    }
}
