using HealthFlow.Domain;

namespace HealthFlow.Aws.Messaging;

/// <summary>Publishes stored events to the EventBridge bus (at least once).</summary>
public interface IEventPublisher
{
    Task PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken = default);
}
