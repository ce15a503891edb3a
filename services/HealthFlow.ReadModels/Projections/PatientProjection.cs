using HealthFlow.Domain;
using HealthFlow.Domain.Events;

namespace HealthFlow.ReadModels.Projections;

/// <summary>PatientRegistered → `patients`.</summary>
public sealed class PatientProjection(PatientReadModel patients) : IReadModelProjection
{
    public const string ReadModelName = "patients";

    public string Name => ReadModelName;

    public IReadOnlySet<string> EventTypes { get; } = new HashSet<string> { Domain.Events.EventTypes.PatientRegistered };

    public async Task<ProjectionOutcome> ApplyAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        if (envelope.Type != Domain.Events.EventTypes.PatientRegistered)
        {
            return ProjectionOutcome.Ignored;
        }

        var applied = await patients.ApplyRegisteredAsync(envelope.DataAs<PatientRegistered>(), envelope.StreamId, envelope.Version, cancellationToken);
        return applied ? ProjectionOutcome.Applied : ProjectionOutcome.Duplicate;
    }
}
