using System.Text.Json;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.Messaging;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HealthFlow.Consumers.Tests;

/// <summary>
/// MassTransit's test harness with one consumer, and events published the way the SQS dispatcher
/// hands them over: the event as the message, its envelope as HealthFlow headers.
/// </summary>
public sealed class ConsumerHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private readonly ConsumeCounter _consumed = new();

    private ConsumerHarness(ServiceProvider provider, ITestHarness harness)
    {
        _provider = provider;
        Harness = harness;
        harness.Bus.ConnectConsumeObserver(_consumed);
    }

    public ITestHarness Harness { get; }

    public IServiceProvider Services => _provider;

    /// <param name="retry">Retry a failed consume at once, up to twice, as the consumer host's retry policy does (EventConsumersBuilder).</param>
    public static async Task<ConsumerHarness> StartAsync<TConsumer>(Action<IServiceCollection> services, bool retry = false) where TConsumer : class, IConsumer
    {
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddMetrics();
        services(collection);
        collection.AddMassTransitTestHarness(x => x.AddConsumer<TConsumer>((_, consumer) =>
        {
            if (retry)
                consumer.UseMessageRetry(r => r.Immediate(2));
        }));
        // The harness answers "was it consumed?" after a spell of inactivity (about a second by default).
        // On a loaded 2-core CI machine the first message's JIT alone can take longer than that.
        collection.Configure<TestHarnessOptions>(options =>
        {
            options.TestInactivityTimeout = TimeSpan.FromSeconds(10);
            options.TestTimeout = TimeSpan.FromSeconds(60);
        });
        var provider = collection.BuildServiceProvider(validateScopes: true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        return new ConsumerHarness(provider, harness);
    }

    /// <summary>An envelope as command-api or alert-worker would have stored it.</summary>
    public static EventEnvelope Envelope<T>(T @event, string stream, long version = 1) where T : IDomainEvent =>
        new(Guid.CreateVersion7(), stream, version, EventTypes.Of(@event), DateTimeOffset.UtcNow,
            JsonSerializer.SerializeToElement(@event, DomainJson.Options),
            new EventMetadata($"corr-{Guid.NewGuid():N}", "cause-1", "patient-user", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null));

    /// <summary>The envelope as the dispatcher hands it to the mediator: the event decoded, its id the message id.</summary>
    public static EventEnvelope<T> Typed<T>(T @event, EventEnvelope envelope) where T : class =>
        new(envelope.EventId, envelope.StreamId, envelope.Version, envelope.Type, envelope.OccurredAt, @event, envelope.Metadata);

    public async Task PublishAsync<T>(T @event, EventEnvelope envelope) where T : class =>
        await Harness.Bus.Publish(Typed(@event, envelope), context => context.MessageId = envelope.EventId);

    /// <summary>
    /// Waits until the message has been consumed (successfully or not) <paramref name="times"/> times: the harness's own
    /// lists hold a message id once, however often it is delivered.
    /// </summary>
    public async Task ConsumedAsync(Guid messageId, int times = 1)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (_consumed.Count(messageId) < times)
            await Task.Delay(10, timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}

/// <summary>Counts each message id's finished consumes, redeliveries included.</summary>
internal sealed class ConsumeCounter : IConsumeObserver
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, int> _counts = new();

    public int Count(Guid messageId) => _counts.GetValueOrDefault(messageId);

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class => Done(context);

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Done(context);

    private Task Done(ConsumeContext context)
    {
        if (context.MessageId is { } id)
            _counts.AddOrUpdate(id, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}
