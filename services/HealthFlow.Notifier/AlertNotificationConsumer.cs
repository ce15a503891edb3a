using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Notifications;
using MassTransit;

namespace HealthFlow.Notifier;

/// <summary>AlertRaised from the notifications queue: a high alert or a missed check-in pages; any other alert does not.</summary>
public sealed class AlertRaisedNotificationConsumer(AlertNotifications notifications) : IConsumer<EventEnvelope<AlertRaised>>
{
    public async Task Consume(ConsumeContext<EventEnvelope<AlertRaised>> context)
    {
        if (NotifiableEvent.From(context.Message.Event) is { } notifiable)
        {
            await notifications.NotifyAsync(notifiable, context.Message, context.CancellationToken);
        }
    }
}

/// <summary>AlertEscalated from the notifications queue: every escalation pages the on-call clinicians of the patient's teams.</summary>
public sealed class AlertEscalatedNotificationConsumer(AlertNotifications notifications) : IConsumer<EventEnvelope<AlertEscalated>>
{
    public Task Consume(ConsumeContext<EventEnvelope<AlertEscalated>> context) =>
        notifications.NotifyAsync(NotifiableEvent.From(context.Message.Event), context.Message, context.CancellationToken);
}
