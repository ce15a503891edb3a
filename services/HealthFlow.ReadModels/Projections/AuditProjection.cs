using HealthFlow.Domain;
using HealthFlow.Domain.Events;

namespace HealthFlow.ReadModels.Projections;

/// <summary>PatientDataAccessed → `audit`, one put per record, never an update.</summary>
public sealed class AuditProjection(AuditReadModel audit) : IReadModelProjection
{
    public const string ReadModelName = "audit";

    public string Name => ReadModelName;

    public IReadOnlySet<string> EventTypes { get; } = new HashSet<string> { Domain.Events.EventTypes.PatientDataAccessed };

    public async Task<ProjectionOutcome> ApplyAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        if (envelope.Type != Domain.Events.EventTypes.PatientDataAccessed)
        {
            return ProjectionOutcome.Ignored;
        }

        return await audit.AppendAsync(envelope.DataAs<PatientDataAccessed>(), cancellationToken)
            ? ProjectionOutcome.Applied
            : ProjectionOutcome.Duplicate;
    }
}
