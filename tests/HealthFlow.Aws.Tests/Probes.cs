using System.Collections.Concurrent;
using System.Diagnostics;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;
using HealthFlow.Messaging;
using MassTransit;

namespace HealthFlow.Aws.Tests;

// Event types and handlers that exist only for the adapter tests. Each test routes its own event
// type to its own queue, so tests never see one another's messages.

public sealed record DlqProbe(Guid ProbeId) : IDomainEvent;

public sealed record DuplicateProbe(Guid ProbeId) : IDomainEvent;

public sealed record TraceProbe(Guid ProbeId) : IDomainEvent;

public sealed record TraceFollowUp(Guid ProbeId) : IDomainEvent;

public sealed record SlowProbe(Guid ProbeId) : IDomainEvent;

public sealed record UnsubscribedProbe(Guid ProbeId) : IDomainEvent;

public sealed record HeartbeatProbe(Guid ProbeId) : IDomainEvent;

public sealed record RetryDelayProbe(Guid ProbeId) : IDomainEvent;

/// <summary>The effect a handler applies once per event: what a projection writes, what the alert worker appends.</summary>
public sealed record ProbeApplied(Guid CausingEventId) : IDomainEvent;

/// <summary>What the probe handlers saw, shared with the test through DI.</summary>
public sealed class ProbeLog
{
    private readonly ConcurrentDictionary<Guid, int> _deliveries = new();

    public int Deliveries(Guid eventId) => _deliveries.GetValueOrDefault(eventId);

    public void Delivered(Guid eventId) => _deliveries.AddOrUpdate(eventId, 1, (_, n) => n + 1);

    public int Applied;

    public int SkippedAsDuplicate;

    public ConcurrentQueue<(ActivityContext Context, ActivitySpanId Parent, AppendResult FollowUp)> Traces { get; } = new();

    public TaskCompletionSource SlowHandlerStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource ReleaseSlowHandler { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource SlowHandlerFinished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set by the test's SQS client when a visibility extension is on its way to the queue.</summary>
    public TaskCompletionSource ExtensionInFlight { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<DateTimeOffset> FailedAt { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<DateTimeOffset> RedeliveredAt { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

public sealed class AlwaysFailingConsumer(ProbeLog log) : IConsumer<EventEnvelope<DlqProbe>>
{
    public Task Consume(ConsumeContext<EventEnvelope<DlqProbe>> context)
    {
        log.Delivered(context.Message.EventId);
        throw new InvalidOperationException($"Probe {context.Message.Event.ProbeId} always fails.");
    }
}

/// <summary>
/// The consumer-side dedupe HealthFlow handlers use: the effect of an event is an append to a
/// stream whose name derives from the event, with "stream must not exist". A redelivery hits the
/// existing stream, gets a conflict, and is acknowledged without applying anything twice.
/// </summary>
public sealed class ApplyOnceConsumer(IEventStore store, ProbeLog log) : IConsumer<EventEnvelope<DuplicateProbe>>
{
    public static StreamId EffectStream(Guid eventId) => new($"probe-effect-{eventId:D}");

    public async Task Consume(ConsumeContext<EventEnvelope<DuplicateProbe>> context)
    {
        var envelope = context.Message;
        var cancellationToken = context.CancellationToken;
        log.Delivered(envelope.EventId);
        try
        {
            await store.AppendAsync(EffectStream(envelope.EventId), ExpectedVersion.NoStream,
                [new ProbeApplied(envelope.EventId)], EventMetadataFactory.CausedBy(envelope), cancellationToken);
            Interlocked.Increment(ref log.Applied);
        }
        catch (ConcurrencyConflictException)
        {
            Interlocked.Increment(ref log.SkippedAsDuplicate);
        }
    }
}

public sealed class TraceRecordingConsumer(IEventStore store, ProbeLog log) : IConsumer<EventEnvelope<TraceProbe>>
{
    public async Task Consume(ConsumeContext<EventEnvelope<TraceProbe>> context)
    {
        var current = Activity.Current!;
        var probeId = context.Message.Event.ProbeId;
        var followUp = await store.AppendAsync(new StreamId($"probe-trace-{probeId:D}"), ExpectedVersion.NoStream,
            [new TraceFollowUp(probeId)], EventMetadataFactory.CausedBy(context.Message), context.CancellationToken);
        log.Traces.Enqueue((current.Context, current.ParentSpanId, followUp));
    }
}

/// <summary>The consumer an operator deploys for a type that had none, before redriving its dead letters.</summary>
public sealed class LateConsumer(ProbeLog log) : IConsumer<EventEnvelope<UnsubscribedProbe>>
{
    public Task Consume(ConsumeContext<EventEnvelope<UnsubscribedProbe>> context)
    {
        log.Delivered(context.Message.EventId);
        return Task.CompletedTask;
    }
}

/// <summary>Fails its first delivery while a visibility extension is in flight; succeeds on the next.</summary>
public sealed class FailsMidExtensionConsumer(ProbeLog log) : IConsumer<EventEnvelope<RetryDelayProbe>>
{
    public async Task Consume(ConsumeContext<EventEnvelope<RetryDelayProbe>> context)
    {
        log.Delivered(context.Message.EventId);
        if (log.FailedAt.Task.IsCompleted)
        {
            log.RedeliveredAt.TrySetResult(DateTimeOffset.UtcNow);
            return;
        }

        await log.ExtensionInFlight.Task.WaitAsync(context.CancellationToken);
        log.FailedAt.TrySetResult(DateTimeOffset.UtcNow);
        throw new InvalidOperationException($"Probe {context.Message.Event.ProbeId} fails once.");
    }
}

public sealed class SlowConsumer(ProbeLog log) : IConsumer<EventEnvelope<SlowProbe>>, IConsumer<EventEnvelope<HeartbeatProbe>>
{
    public Task Consume(ConsumeContext<EventEnvelope<HeartbeatProbe>> context) => ConsumeSlowlyAsync(context);

    public Task Consume(ConsumeContext<EventEnvelope<SlowProbe>> context) => ConsumeSlowlyAsync(context);

    private async Task ConsumeSlowlyAsync<T>(ConsumeContext<EventEnvelope<T>> context) where T : class
    {
        log.Delivered(context.Message.EventId);
        log.SlowHandlerStarted.TrySetResult();
        await log.ReleaseSlowHandler.Task.WaitAsync(context.CancellationToken);
        log.SlowHandlerFinished.TrySetResult();
    }
}
