using HealthFlow.Aws.Topology;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace HealthFlow.Aws.Messaging;

/// <summary>Subscribes handlers to the events arriving on one queue.</summary>
public sealed class EventConsumerBuilder
{
    internal EventConsumerBuilder(IServiceCollection services, QueueDefinition queue)
    {
        Services = services;
        Queue = queue;
    }

    public IServiceCollection Services { get; }

    public QueueDefinition Queue { get; }

    internal EventSubscriptions Subscriptions { get; } = new();

    /// <summary>Handles <typeparamref name="TEvent"/> from this queue with a scoped <typeparamref name="THandler"/>.</summary>
    public EventConsumerBuilder AddSubscription<TEvent, THandler>()
        where TEvent : class, IDomainEvent
        where THandler : class, IEventHandler<TEvent>
    {
        Services.TryAddScoped<THandler>();
        Subscriptions.Add(typeof(TEvent).Name, typeof(THandler), static async (services, envelope, cancellationToken) =>
        {
            var handler = services.GetRequiredService<THandler>();
            await handler.HandleAsync(envelope.DataAs<TEvent>(), envelope, cancellationToken).ConfigureAwait(false);
        });
        return this;
    }

    /// <summary>Overrides this queue's options in code (configuration binds first).</summary>
    public EventConsumerBuilder Configure(Action<EventConsumerOptions> configure)
    {
        Services.Configure(Queue.Name, configure);
        return this;
    }
}

/// <summary>The handlers of one queue, by event type (the EventBridge detail-type).</summary>
internal sealed class EventSubscriptions
{
    private readonly Dictionary<string, List<Subscription>> _byType = new(StringComparer.Ordinal);

    public void Add(string eventType, Type handlerType, Func<IServiceProvider, EventEnvelope, CancellationToken, Task> dispatch)
    {
        if (!_byType.TryGetValue(eventType, out var handlers))
            _byType[eventType] = handlers = [];
        if (handlers.All(h => h.HandlerType != handlerType))
            handlers.Add(new Subscription(handlerType, dispatch));
    }

    public IReadOnlyList<Subscription> For(string eventType) =>
        _byType.TryGetValue(eventType, out var handlers) ? handlers : [];

    public IEnumerable<string> EventTypes => _byType.Keys;

    internal sealed record Subscription(Type HandlerType, Func<IServiceProvider, EventEnvelope, CancellationToken, Task> Dispatch);
}

public static class EventConsumerServiceCollectionExtensions
{
    /// <summary>
    /// Consumes <paramref name="queue"/> in a background service: long polling, bounded concurrency,
    /// delete after success, redelivery and SQS's own DLQ redrive on failure. The queue must exist
    /// (provisioning creates it); consumers never create topology. Calling this again for the same
    /// queue returns the same builder.
    /// </summary>
    public static EventConsumerBuilder AddEventConsumer(this IServiceCollection services, QueueDefinition queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var registry = services
            .Where(d => d.ServiceType == typeof(EventConsumerRegistry))
            .Select(d => d.ImplementationInstance)
            .OfType<EventConsumerRegistry>()
            .FirstOrDefault();
        if (registry is null)
        {
            registry = new EventConsumerRegistry();
            services.AddSingleton(registry);
            services.TryAddSingleton(TimeProvider.System);
        }

        if (registry.Builders.TryGetValue(queue.Name, out var existing))
            return existing;

        var builder = new EventConsumerBuilder(services, queue);
        registry.Builders[queue.Name] = builder;

        services.AddOptions<EventConsumerOptions>(queue.Name)
            .BindConfiguration($"{EventConsumerOptions.Section}:{queue.Name}")
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // Not AddHostedService: it de-duplicates by implementation type, and there is one consumer per queue.
        services.AddSingleton<IHostedService>(sp =>
            ActivatorUtilities.CreateInstance<SqsEventConsumer>(sp, queue, builder.Subscriptions));
        return builder;
    }

    private sealed class EventConsumerRegistry
    {
        public Dictionary<string, EventConsumerBuilder> Builders { get; } = new(StringComparer.Ordinal);
    }
}
