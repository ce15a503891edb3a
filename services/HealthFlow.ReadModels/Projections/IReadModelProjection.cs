using System.Reflection;
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

/// <summary>One event type's mapping onto a read model: what the projections worker's consumer calls with the decoded event.</summary>
public interface IProjects<TEvent>
    where TEvent : class
{
    Task<ProjectionOutcome> ApplyAsync(EventEnvelope<TEvent> envelope, CancellationToken cancellationToken);
}

/// <summary>
/// The event → read-model mapping of one read model. The projections worker applies each SQS message through the
/// projection's <see cref="IProjects{TEvent}"/> and `healthflow replay &lt;name&gt;` each stored event, so live and
/// rebuilt read models come from the same code. Every apply is idempotent (see ReadModelWrites).
/// </summary>
public interface IReadModelProjection
{
    /// <summary>The read model's name as the replay tool takes it: patients, observations or alerts.</summary>
    string Name { get; }

    /// <summary>The event types this projection reads.</summary>
    IReadOnlySet<string> EventTypes { get; }

    /// <summary>A stored event, still JSON (replay reads every type of a stream): decoded once and applied as its type.</summary>
    Task<ProjectionOutcome> ApplyAsync(EventEnvelope stored, CancellationToken cancellationToken);
}

/// <summary>
/// A projection is the <see cref="IProjects{TEvent}"/> it implements: its event types, and the decoding of a stored
/// event for replay, both follow from those interfaces, so no projection lists its types or switches on a type name.
/// </summary>
public abstract class ReadModelProjection : IReadModelProjection
{
    private static readonly MethodInfo ApplyStoredMethod =
        typeof(ReadModelProjection).GetMethod(nameof(ApplyStoredAsync), BindingFlags.NonPublic | BindingFlags.Instance)!;

    private readonly Dictionary<string, Func<EventEnvelope, CancellationToken, Task<ProjectionOutcome>>> _byType;

    protected ReadModelProjection()
    {
        _byType = GetType().GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IProjects<>))
            .Select(i => i.GenericTypeArguments[0])
            .ToDictionary(
                type => type.Name,
                type => ApplyStoredMethod.MakeGenericMethod(type)
                    .CreateDelegate<Func<EventEnvelope, CancellationToken, Task<ProjectionOutcome>>>(this),
                StringComparer.Ordinal);
        EventTypes = _byType.Keys.ToHashSet(StringComparer.Ordinal);
    }

    public abstract string Name { get; }

    public IReadOnlySet<string> EventTypes { get; }

    public Task<ProjectionOutcome> ApplyAsync(EventEnvelope stored, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return _byType.TryGetValue(stored.Type, out var apply) ? apply(stored, cancellationToken) : Task.FromResult(ProjectionOutcome.Ignored);
    }

    /// <summary>A conditional write's result: it changed the item, or the item had this change already.</summary>
    protected static ProjectionOutcome Outcome(bool applied) => applied ? ProjectionOutcome.Applied : ProjectionOutcome.Duplicate;

    private Task<ProjectionOutcome> ApplyStoredAsync<TEvent>(EventEnvelope stored, CancellationToken cancellationToken)
        where TEvent : class =>
        ((IProjects<TEvent>)this).ApplyAsync(stored.As<TEvent>(), cancellationToken);
}
