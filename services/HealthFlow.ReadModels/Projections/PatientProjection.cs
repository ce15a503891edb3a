using HealthFlow.Domain;
using HealthFlow.Domain.Events;

namespace HealthFlow.ReadModels.Projections;

/// <summary>
/// PatientRegistered, MonitoringPlanSet and ObservationSubmitted → `patients`: the patient, the plan in force and the
/// latest check-in's time on the same item, so the patient's check-in status is one read.
/// </summary>
public sealed class PatientProjection(PatientReadModel patients)
    : ReadModelProjection, IProjects<PatientRegistered>, IProjects<MonitoringPlanSet>, IProjects<ObservationSubmitted>
{
    public const string ReadModelName = "patients";

    public override string Name => ReadModelName;

    public async Task<ProjectionOutcome> ApplyAsync(EventEnvelope<PatientRegistered> envelope, CancellationToken cancellationToken) =>
        Outcome(await patients.ApplyRegisteredAsync(envelope.Event, envelope.StreamId, envelope.Version, cancellationToken));

    public async Task<ProjectionOutcome> ApplyAsync(EventEnvelope<MonitoringPlanSet> envelope, CancellationToken cancellationToken) =>
        Outcome(await patients.ApplyPlanSetAsync(envelope.Event, cancellationToken));

    public async Task<ProjectionOutcome> ApplyAsync(EventEnvelope<ObservationSubmitted> envelope, CancellationToken cancellationToken) =>
        Outcome(await patients.ApplyCheckInAsync(envelope.Event, cancellationToken));
}
