using System.Diagnostics.Metrics;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.Messaging;
using HealthFlow.ReadModels.Projections;
using MassTransit;

namespace HealthFlow.Projections;

/// <summary>
/// Wires one queue's events to a read-model projection. The mapping itself lives in
/// HealthFlow.ReadModels, where `healthflow replay` uses the same code.
/// </summary>
public sealed class ReadModelConsumer<TEvent, TProjection>(TProjection projection, ProjectionMetrics metrics, ILogger<TProjection> logger)
    : IConsumer<EventEnvelope<TEvent>>
    where TEvent : class, IDomainEvent
    where TProjection : IReadModelProjection, IProjects<TEvent>
{
    public async Task Consume(ConsumeContext<EventEnvelope<TEvent>> context)
    {
        var envelope = context.Message;
        var outcome = await projection.ApplyAsync(envelope, context.CancellationToken);
        metrics.Applied(projection.Name, outcome);
        if (outcome == ProjectionOutcome.Duplicate)
        {
            logger.LogDebug("Skipped {EventType} {StreamId}@{Version}: already applied to {ReadModel}.", envelope.Type, envelope.StreamId, envelope.Version, projection.Name);
        }
    }
}

/// <summary>
/// One queue's events applied to two read models in turn. Both applies are idempotent, so a retry after the
/// first succeeded and the second failed repeats nothing visible.
/// </summary>
public sealed class ReadModelConsumer<TEvent, TFirst, TSecond>(TFirst first, TSecond second, ProjectionMetrics metrics)
    : IConsumer<EventEnvelope<TEvent>>
    where TEvent : class, IDomainEvent
    where TFirst : IReadModelProjection, IProjects<TEvent>
    where TSecond : IReadModelProjection, IProjects<TEvent>
{
    public async Task Consume(ConsumeContext<EventEnvelope<TEvent>> context)
    {
        var envelope = context.Message;
        metrics.Applied(first.Name, await first.ApplyAsync(envelope, context.CancellationToken));
        metrics.Applied(second.Name, await second.ApplyAsync(envelope, context.CancellationToken));
    }
}

/// <summary>The projections worker's meter; ServiceDefaults exports every "HealthFlow.*" meter.</summary>
public sealed class ProjectionMetrics
{
    public const string MeterName = "HealthFlow.Projections";

    private readonly Counter<long> _events;

    public ProjectionMetrics(IMeterFactory meterFactory)
    {
        _events = meterFactory.Create(MeterName).CreateCounter<long>(
            "healthflow.projections.events", "{event}", "Events handled by a projection, by read model and outcome (applied, duplicate).");
    }

    public void Applied(string readModel, ProjectionOutcome outcome) =>
        _events.Add(1, new KeyValuePair<string, object?>("read_model", readModel), new KeyValuePair<string, object?>("outcome", outcome.ToString().ToLowerInvariant()));
}
