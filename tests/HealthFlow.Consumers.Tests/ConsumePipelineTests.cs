using System.Collections.Concurrent;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.Messaging;
using HealthFlow.Topology;
using MassTransit;
using MassTransit.Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace HealthFlow.Consumers.Tests;

/// <summary>
/// The pipeline AddEventConsumers builds, driven through the mediator exactly as the SQS dispatcher
/// drives it (without SQS): retry, a new scoped consumer per attempt, and what the transport sees.
/// </summary>
public sealed class ConsumePipelineTests
{
    private static readonly QueueDefinition Queue = new("pipeline-probe", "pipeline-probe-dlq", 5, TimeSpan.FromSeconds(30), TimeSpan.FromDays(1));

    [Fact]
    public async Task A_failing_consumer_is_retried_by_MassTransit_with_a_new_scoped_consumer_each_attempt()
    {
        await using var provider = Build(c => c.UseRetry(r => r.Immediate(2)));
        var attempts = provider.GetRequiredService<Attempts>();
        attempts.FailuresLeft = 2;

        await SendAsync(provider, new PipelineProbe(Guid.NewGuid()));

        Assert.Equal(3, attempts.Scopes.Count);
        Assert.Equal(3, attempts.Scopes.Distinct().Count());
        AssertNonEmpty.All(attempts.Streams, s => Assert.Equal("probe-stream", s));
    }

    [Fact]
    public async Task When_the_retries_are_spent_the_failure_reaches_the_transport_so_the_message_is_not_deleted()
    {
        await using var provider = Build(c => c.UseRetry(r => r.Immediate(1)));
        var attempts = provider.GetRequiredService<Attempts>();
        attempts.FailuresLeft = int.MaxValue;

        await Assert.ThrowsAsync<InvalidOperationException>(() => SendAsync(provider, new PipelineProbe(Guid.NewGuid())));
        Assert.Equal(2, attempts.Scopes.Count);
    }

    [Fact]
    public void One_event_type_on_two_queues_of_one_process_is_refused_at_registration()
    {
        var services = new ServiceCollection();

        var refused = Assert.Throws<InvalidOperationException>(() => services.AddEventConsumers(c =>
        {
            c.Queue(Queue).Consume<PipelineProbe, PipelineConsumer>();
            c.Queue(Queue with { Name = "another-queue" }).Consume<PipelineProbe, PipelineConsumer>();
        }));
        Assert.Contains(nameof(PipelineProbe), refused.Message);
    }

    private static ServiceProvider Build(Action<EventConsumersBuilder> retry)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Attempts>();
        services.AddScoped<ScopeMarker>();
        services.AddEventConsumers(c =>
        {
            retry(c);
            c.Queue(Queue).Consume<PipelineProbe, PipelineConsumer>();
        });
        return services.BuildServiceProvider(validateScopes: true);
    }

    private static Task SendAsync(IServiceProvider provider, PipelineProbe probe)
    {
        var envelope = ConsumerHarness.Envelope(probe, "probe-stream");
        return provider.GetRequiredService<IMediator>().Send(ConsumerHarness.Typed(probe, envelope), context => context.MessageId = envelope.EventId);
    }

    public sealed record PipelineProbe(Guid ProbeId) : IDomainEvent;

    public sealed class ScopeMarker
    {
        public Guid Id { get; } = Guid.NewGuid();
    }

    public sealed class Attempts
    {
        public int FailuresLeft;

        public ConcurrentQueue<Guid> Scopes { get; } = new();

        public ConcurrentQueue<string> Streams { get; } = new();
    }

    public sealed class PipelineConsumer(ScopeMarker scope, Attempts attempts) : IConsumer<EventEnvelope<PipelineProbe>>
    {
        public Task Consume(ConsumeContext<EventEnvelope<PipelineProbe>> context)
        {
            attempts.Scopes.Enqueue(scope.Id);
            attempts.Streams.Enqueue(context.Message.StreamId);
            return Interlocked.Decrement(ref attempts.FailuresLeft) >= 0
                ? throw new InvalidOperationException("A transient failure.")
                : Task.CompletedTask;
        }
    }
}
