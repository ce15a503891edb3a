using HealthFlow.Domain;
using HealthFlow.Domain.Events;

namespace HealthFlow.Aws.Messaging;

/// <summary>
/// Handles one event type from an SQS queue. Handlers must be idempotent: delivery is at least once.
/// Throwing leaves the message for redelivery; after maxReceiveCount it goes to the DLQ.
/// Register with <c>services.AddEventConsumer(queue).AddSubscription&lt;TEvent, THandler&gt;()</c>.
/// </summary>
public interface IEventHandler<in TEvent> where TEvent : IDomainEvent
{
    Task HandleAsync(TEvent @event, EventEnvelope envelope, CancellationToken cancellationToken);
}

/// <summary>Publishes stored events to the EventBridge bus (at least once).</summary>
public interface IEventPublisher
{
    Task PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken = default);
}
