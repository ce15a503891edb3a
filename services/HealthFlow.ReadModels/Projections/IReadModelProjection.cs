using HealthFlow.Domain;

namespace HealthFlow.ReadModels.Projections;

public enum ProjectionOutcome
{
    /// <summary>The read model changed.</summary>
    Applied,

    /// <summary>The event (or a later one of its stream) had been applied already.</summary>
    Duplicate,

    /// <summary>This projection does not use events of that type.</summary>
    Ignored,
}

/// <summary>
/// The event → read-model mapping of one read model. The projections worker calls it for each SQS
/// message and `healthflow replay &lt;name&gt;` for each stored event, so live and rebuilt read models
/// come from the same code. Every apply is idempotent (see ReadModelWrites).
/// </summary>
public interface IReadModelProjection
{
    /// <summary>The read model's name as the replay tool takes it: patients, observations or alerts.</summary>
    string Name { get; }

    /// <summary>The event types this projection reads.</summary>
    IReadOnlySet<string> EventTypes { get; }

    Task<ProjectionOutcome> ApplyAsync(EventEnvelope envelope, CancellationToken cancellationToken);
}
