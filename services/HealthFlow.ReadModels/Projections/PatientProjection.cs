using HealthFlow.Domain;
using HealthFlow.Domain.Events;

namespace HealthFlow.ReadModels.Projections;

/// <summary>PatientRegistered and MonitoringPlanSet → `patients`: the patient, and the plan in force on the same item.</summary>
public sealed class PatientProjection(PatientReadModel patients) : ReadModelProjection, IProjects<PatientRegistered>, IProjects<MonitoringPlanSet>
{
    public const string ReadModelName = "patients";

    public override string Name => ReadModelName;

    public async Task<ProjectionOutcome> ApplyAsync(EventEnvelope<PatientRegistered> envelope, CancellationToken cancellationToken) =>
        Outcome(await patients.ApplyRegisteredAsync(envelope.Event, envelope.StreamId, envelope.Version, cancellationToken));

    public async Task<ProjectionOutcome> ApplyAsync(EventEnvelope<MonitoringPlanSet> envelope, CancellationToken cancellationToken) =>
        Outcome(await patients.ApplyPlanSetAsync(envelope.Event, cancellationToken));
}
