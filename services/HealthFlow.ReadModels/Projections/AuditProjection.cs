using HealthFlow.Domain;
using HealthFlow.Domain.Events;

namespace HealthFlow.ReadModels.Projections;

/// <summary>PatientDataAccessed → `audit`, one put per record, never an update.</summary>
public sealed class AuditProjection(AuditReadModel audit) : ReadModelProjection, IProjects<PatientDataAccessed>
{
    public const string ReadModelName = "audit";

    public override string Name => ReadModelName;

    public async Task<ProjectionOutcome> ApplyAsync(EventEnvelope<PatientDataAccessed> envelope, CancellationToken cancellationToken) =>
        Outcome(await audit.AppendAsync(envelope.Event, cancellationToken));
}
