using System.Text.Json;
using Amazon.SQS.Model;
using HealthFlow.AlertWorker;
using HealthFlow.Aws.Tests.Infrastructure;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Messaging;
using HealthFlow.Topology;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HealthFlow.Aws.Tests;

/// <summary>
/// Escalation deadlines on the real transport: alert-worker's escalation consumer behind the SQS receive loop, its
/// delayed legs on the alert-escalation queue, its chains in the leases table, all on LocalAws.
/// </summary>
public sealed class EscalationLegTests(LocalAwsFixture aws) : IClassFixture<LocalAwsFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_not_yet_due_leg_delivered_again_and_again_leaves_exactly_one_pending_leg_in_the_escalation_queue()
    {
        using var app = aws.CreateHost(b =>
        {
            b.Services.AddMetrics();
            b.Services.AddOptions<EscalationPolicy>().Configure(p => p.MediumAfter = TimeSpan.FromHours(1));
            b.Services.AddSingleton<IDelayedMessages, DelayedMessages>();
            b.Services.AddSingleton<IDelayedMessageChains, DelayedMessageChains>();
            b.Services.AddSingleton<EscalationDeadlines>();
            b.Services.AddSingleton<AlertMetrics>();
            b.Services.AddEventConsumers(c => c.Queue(HealthFlowTopology.Queues.AlertEscalation).Consume<AlertEscalationDue, AlertEscalationConsumer>());
        });
        var url = (await aws.Sqs.GetQueueUrlAsync(HealthFlowTopology.Queues.AlertEscalation.Name)).QueueUrl;
        var pendingBefore = await PendingLegsAsync(url);
        await app.StartAsync();
        try
        {
            // A medium alert's first leg, due in an hour, arriving now: not yet due, so it sends the next leg on.
            var alertId = Guid.NewGuid();
            var raisedAt = DateTimeOffset.UtcNow;
            var leg = new EventEnvelope(Guid.CreateVersion7(), StreamId.ForAlert(alertId).Value, 0, nameof(AlertEscalationDue), raisedAt,
                JsonSerializer.SerializeToElement(new AlertEscalationDue(alertId, Severities.Medium, raisedAt, raisedAt.AddHours(1)), DomainJson.Options),
                new EventMetadata($"corr-{Guid.NewGuid():N}", null, null, null, null));

            // The same leg three times, one after the other, as SQS delivers a message again that was handled but
            // not deleted (a crash after the handler, a lost delete).
            for (var delivery = 1; delivery <= 3; delivery++)
            {
                await aws.Sqs.SendMessageAsync(url, JsonSerializer.Serialize(leg, DomainJson.Options));
                await Eventually.HoldsAsync(async () => await aws.MessagesInAsync(url) == 0, Patience, $"delivery {delivery} of the leg is handled and deleted");
            }

            Assert.Equal(pendingBefore + 1, await PendingLegsAsync(url));
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task A_message_received_again_tells_its_consumer_so_through_MassTransits_redelivery_count()
    {
        var queue = await aws.CreateRoutedQueueAsync("redelivery", nameof(RedeliveryProbe), visibilityTimeout: TimeSpan.FromSeconds(1));
        using var app = aws.CreateHost(b =>
        {
            b.Services.AddSingleton<RedeliveryLog>();
            b.Services.AddEventConsumers(c => c.UseRetry(r => r.None()).Queue(queue.Definition).Consume<RedeliveryProbe, FailsOnFirstReceiveConsumer>());
        });
        var log = app.Services.GetRequiredService<RedeliveryLog>();
        await app.StartAsync();
        try
        {
            await app.Services.GetRequiredService<EventStore.IEventStore>().AppendAsync(
                new StreamId($"probe-{Guid.NewGuid():D}"), EventStore.ExpectedVersion.NoStream, [new RedeliveryProbe(Guid.NewGuid())],
                new EventMetadata($"corr-{Guid.NewGuid():N}", null, null, null, null));

            await Eventually.HoldsAsync(() => log.Counts.Count >= 2, Patience, "the probe is received twice");

            Assert.Equal([0, 1], log.Counts.Take(2));
        }
        finally
        {
            await app.StopAsync();
        }
    }

    /// <summary>Every message in the queue: visible, in flight, and delayed (the legs on their way).</summary>
    private async Task<int> PendingLegsAsync(string url)
    {
        var attributes = await aws.Sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = url,
            AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
        });
        return attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible + attributes.ApproximateNumberOfMessagesDelayed;
    }
}

public sealed record RedeliveryProbe(Guid ProbeId) : Domain.Events.IDomainEvent;

public sealed class RedeliveryLog
{
    public System.Collections.Concurrent.ConcurrentQueue<int> Counts { get; } = new();
}

/// <summary>Fails the first receive of a message, and records the redelivery count every receive sees.</summary>
public sealed class FailsOnFirstReceiveConsumer(RedeliveryLog log) : IConsumer<EventEnvelope<RedeliveryProbe>>
{
    public Task Consume(ConsumeContext<EventEnvelope<RedeliveryProbe>> context)
    {
        var count = context.GetRedeliveryCount();
        log.Counts.Enqueue(count);
        return count == 0 ? throw new InvalidOperationException("The first receive fails.") : Task.CompletedTask;
    }
}
