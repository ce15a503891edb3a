using HealthFlow.Domain;
using HealthFlow.Domain.Events;

namespace HealthFlow.ReadModels.Projections;

/// <summary>PatientRegistered → `patients`.</summary>
public sealed class PatientProjection(PatientReadModel patients) : ReadModelProjection, IProjects<PatientRegistered>
{
    public const string ReadModelName = "patients";

    public override string Name => ReadModelName;

    public async Task<ProjectionOutcome> ApplyAsync(EventEnvelope<PatientRegistered> envelope, CancellationToken cancellationToken) =>
        Outcome(await patients.ApplyRegisteredAsync(envelope.Event, envelope.StreamId, envelope.Version, cancellationToken));
}
