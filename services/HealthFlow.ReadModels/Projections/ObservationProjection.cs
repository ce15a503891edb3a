using HealthFlow.Domain;
using HealthFlow.Domain.Events;

namespace HealthFlow.ReadModels.Projections;

/// <summary>ObservationSubmitted → `observations`.</summary>
public sealed class ObservationProjection(ObservationReadModel observations) : IReadModelProjection
{
    public const string ReadModelName = "observations";

    public string Name => ReadModelName;

    public IReadOnlySet<string> EventTypes { get; } = new HashSet<string> { Domain.Events.EventTypes.ObservationSubmitted };

    public async Task<ProjectionOutcome> ApplyAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        if (envelope.Type != Domain.Events.EventTypes.ObservationSubmitted)
        {
            return ProjectionOutcome.Ignored;
        }

        var applied = await observations.ApplySubmittedAsync(envelope.DataAs<ObservationSubmitted>(), envelope.StreamId, envelope.Version, cancellationToken);
        return applied ? ProjectionOutcome.Applied : ProjectionOutcome.Duplicate;
    }
}
