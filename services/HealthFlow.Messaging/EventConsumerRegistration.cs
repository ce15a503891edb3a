using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.Topology;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace HealthFlow.Messaging;

public static class EventConsumerServiceCollectionExtensions
{
    /// <summary>
    /// Registers MassTransit consumers and the SQS queues that feed them. Each queue gets a receive
    /// loop (long polling, bounded concurrency, visibility heartbeat, delete after success, SQS's own
    /// DLQ redrive); each message goes through MassTransit's mediator, whose consume pipeline runs the
    /// retry policy, the filters and a scoped consumer. Queues must exist: consumers never create topology.
    /// Call once per process (MassTransit allows one mediator).
    /// </summary>
    public static IServiceCollection AddEventConsumers(this IServiceCollection services, Action<EventConsumersBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(d => d.ServiceType == typeof(EventConsumersBuilder)))
            throw new InvalidOperationException("AddEventConsumers was called already: register every queue and consumer in one call.");

        var builder = new EventConsumersBuilder(services);
        services.AddSingleton(builder);
        configure(builder);
        services.TryAddSingleton(TimeProvider.System);

        services.AddMediator(mediator =>
        {
            foreach (var consumerType in builder.ConsumerTypes)
                mediator.AddConsumer(consumerType);
            mediator.ConfigureMediator((context, pipeline) =>
            {
                // Retry outermost, so that each attempt gets a new DI scope and a new consumer.
                pipeline.UseMessageRetry(retry => builder.Retry(retry));
                pipeline.UseConsumeFilter(typeof(EventLogScopeFilter<>), context);
            });
        });

        foreach (var queue in builder.Queues)
        {
            services.AddOptions<EventConsumerOptions>(queue.Definition.Name)
                .BindConfiguration($"{EventConsumerOptions.Section}:{queue.Definition.Name}")
                .ValidateDataAnnotations()
                .ValidateOnStart();
            // Not AddHostedService: it de-duplicates by implementation type, and there is one loop per queue.
            services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<SqsQueueConsumer>(sp, queue.Definition, queue.Types));
        }

        return services;
    }
}

/// <summary>What <see cref="EventConsumerServiceCollectionExtensions.AddEventConsumers"/> registers: queues, the event types each carries, and their consumers.</summary>
public sealed class EventConsumersBuilder
{
    /// <summary>
    /// MassTransit's in-process retries before a message is given back to SQS. Each failed receive
    /// costs 1 + this many attempts; after 5 receives SQS moves the message to the DLQ.
    /// </summary>
    public static readonly TimeSpan[] DefaultRetryIntervals = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500)];

    private readonly List<EventQueueBuilder> _queues = [];
    private readonly Dictionary<string, (string Queue, Type Consumer)> _consumerOfType = new(StringComparer.Ordinal);

    internal EventConsumersBuilder(IServiceCollection services) => Services = services;

    public IServiceCollection Services { get; }

    internal IEnumerable<EventQueueBuilder> Queues => _queues;

    internal IEnumerable<Type> ConsumerTypes => _consumerOfType.Values.Select(v => v.Consumer).Distinct();

    internal Action<IRetryConfigurator> Retry { get; private set; } = retry => retry.Intervals(DefaultRetryIntervals);

    /// <summary>Consumes <paramref name="queue"/>; the returned builder says which event types it carries and who consumes them.</summary>
    public EventQueueBuilder Queue(QueueDefinition queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var existing = _queues.FirstOrDefault(q => q.Definition.Name == queue.Name);
        if (existing is not null)
            return existing;
        var builder = new EventQueueBuilder(this, queue);
        _queues.Add(builder);
        return builder;
    }

    /// <summary>Replaces the retry policy MassTransit applies to every consumer (default: <see cref="DefaultRetryIntervals"/>).</summary>
    public EventConsumersBuilder UseRetry(Action<IRetryConfigurator> configure)
    {
        Retry = configure ?? throw new ArgumentNullException(nameof(configure));
        return this;
    }

    // The mediator dispatches by message type, so within one process an event type has one consumer and one queue.
    internal void Claim(string eventType, string queue, Type consumer)
    {
        if (_consumerOfType.TryGetValue(eventType, out var claimed) && (claimed.Queue != queue || claimed.Consumer != consumer))
            throw new InvalidOperationException(
                $"{eventType} is consumed already by {claimed.Consumer.Name} from {claimed.Queue}; one process consumes an event type from one queue with one consumer.");
        _consumerOfType[eventType] = (queue, consumer);
    }
}

/// <summary>One queue: the event types it carries (by EventBridge detail-type) and their consumers.</summary>
public sealed class EventQueueBuilder
{
    private readonly EventConsumersBuilder _parent;

    internal EventQueueBuilder(EventConsumersBuilder parent, QueueDefinition queue)
    {
        _parent = parent;
        Definition = queue;
    }

    public QueueDefinition Definition { get; }

    internal EventTypeMap Types { get; } = new();

    /// <summary>
    /// Events of type <typeparamref name="TEvent"/> (detail-type = its name) from this queue go to a scoped <typeparamref name="TConsumer"/>,
    /// which receives each as an <see cref="EventEnvelope{TEvent}"/>: the event decoded once, its envelope beside it.
    /// <typeparamref name="TEvent"/> is a stored <see cref="IDomainEvent"/>, or a message sent with <see cref="IDelayedMessages"/>.
    /// </summary>
    public EventQueueBuilder Consume<TEvent, TConsumer>()
        where TEvent : class
        where TConsumer : class, IConsumer<EventEnvelope<TEvent>>
    {
        var eventType = typeof(TEvent).Name;
        _parent.Claim(eventType, Definition.Name, typeof(TConsumer));
        Types.Add<TEvent>(eventType);
        return this;
    }

    /// <summary>Overrides this queue's options in code (configuration binds first).</summary>
    public EventQueueBuilder Configure(Action<EventConsumerOptions> configure)
    {
        _parent.Services.Configure(Definition.Name, configure);
        return this;
    }
}

/// <summary>The message types one queue carries, by event type (the EventBridge detail-type), and how each is decoded.</summary>
internal sealed class EventTypeMap
{
    private readonly Dictionary<string, EventBinding> _byName = new(StringComparer.Ordinal);

    public void Add<TEvent>(string eventType) where TEvent : class =>
        _byName[eventType] = new EventBinding(typeof(EventEnvelope<TEvent>), envelope => envelope.As<TEvent>());

    public bool TryGet(string eventType, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EventBinding? binding) =>
        _byName.TryGetValue(eventType, out binding);

    public IEnumerable<string> EventTypes => _byName.Keys;
}

/// <summary>One event type's message: <c>EventEnvelope&lt;TEvent&gt;</c>, and the decoding of the wire envelope into it.</summary>
internal sealed record EventBinding(Type MessageType, Func<EventEnvelope, object> Decode);
