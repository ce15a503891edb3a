using HealthFlow.Domain;
using HealthFlow.Domain.Events;

namespace HealthFlow.ReadModels.Projections;

/// <summary>ObservationSubmitted → `observations`.</summary>
public sealed class ObservationProjection(ObservationReadModel observations) : ReadModelProjection, IProjects<ObservationSubmitted>
{
    public const string ReadModelName = "observations";

    public override string Name => ReadModelName;

    public async Task<ProjectionOutcome> ApplyAsync(EventEnvelope<ObservationSubmitted> envelope, CancellationToken cancellationToken) =>
        Outcome(await observations.ApplySubmittedAsync(envelope.Event, envelope.StreamId, envelope.Version, cancellationToken));
}
