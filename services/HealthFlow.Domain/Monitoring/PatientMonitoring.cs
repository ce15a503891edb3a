using HealthFlow.Domain.Events;

namespace HealthFlow.Domain.Monitoring;

/// <summary>
/// A patient's monitoring, folded from their stream patient-{id}: whether they registered, and every plan set since,
/// in version order. alert-worker asks it which plan was in force when a check-in was submitted; command-api decides a
/// new plan on it. Events of other types on the stream are ignored.
/// </summary>
public sealed record PatientMonitoring(bool Registered, IReadOnlyList<MonitoringPlanSet> Plans)
{
    public static PatientMonitoring Initial { get; } = new(false, []);

    /// <summary>The latest plan's version; 0 while none was set (the defaults).</summary>
    public int CurrentVersion => Plans.Count == 0 ? 0 : Plans[^1].Version;

    public MonitoringPlanSet? Current => Plans.Count == 0 ? null : Plans[^1];

    /// <summary>Folds a stream as read from the store.</summary>
    public static PatientMonitoring From(IEnumerable<EventEnvelope> envelopes) =>
        envelopes.OrderBy(e => e.Version).Aggregate(Initial, Evolve);

    /// <summary>One step of <see cref="From"/>, for folding a stream as it is read.</summary>
    public static PatientMonitoring Evolve(PatientMonitoring state, EventEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(envelope);
        return envelope.Type switch
        {
            EventTypes.PatientRegistered => state with { Registered = true },
            EventTypes.MonitoringPlanSet => state with { Plans = [.. state.Plans, envelope.DataAs<MonitoringPlanSet>()] },
            _ => state,
        };
    }

    /// <summary>
    /// The plan a check-in submitted at <paramref name="submittedAt"/> is judged by: the highest version set at or
    /// before that moment; null (the defaults) when none was. Judging by the submission, not by when the worker gets
    /// to it, makes the decision the same however late or often the check-in is delivered or replayed.
    /// </summary>
    public MonitoringPlanSet? PlanInForceAt(DateTimeOffset submittedAt) =>
        Plans.Where(p => p.SetAt <= submittedAt).MaxBy(p => p.Version);

    /// <summary>
    /// Decides a new plan. <paramref name="expectedVersion"/> (the caller's If-Match) must name the current plan's
    /// version (0 for none) when given, so a clinician never replaces a plan they have not seen.
    /// </summary>
    public SetPlanOutcome SetPlan(Guid patientId, MonitoringPlan? plan, string? reason, string setBy, int? expectedVersion, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(setBy);
        if (!Registered)
        {
            return new SetPlanOutcome.UnknownPatient();
        }

        if (expectedVersion is { } expected && expected != CurrentVersion)
        {
            return new SetPlanOutcome.VersionMismatch(CurrentVersion);
        }

        var errors = MonitoringPlanValidator.Validate(plan, reason, out var normalized, out var trimmedReason);
        return errors.Count > 0
            ? new SetPlanOutcome.Invalid(errors)
            : new SetPlanOutcome.Set(new MonitoringPlanSet(patientId, CurrentVersion + 1, normalized, setBy, trimmedReason, now));
    }
}

/// <summary>The result of <see cref="PatientMonitoring.SetPlan"/>.</summary>
public abstract record SetPlanOutcome
{
    private SetPlanOutcome()
    {
    }

    /// <summary>Append <see cref="Event"/> to the patient's stream at the version it was decided on.</summary>
    public sealed record Set(MonitoringPlanSet Event) : SetPlanOutcome;

    /// <summary>The plan or the reason was refused; the errors are keyed by the field's dotted path.</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : SetPlanOutcome;

    /// <summary>The caller expected another version; <see cref="Current"/> is the one in force (0: none).</summary>
    public sealed record VersionMismatch(int Current) : SetPlanOutcome;

    /// <summary>No patient registered under this id.</summary>
    public sealed record UnknownPatient : SetPlanOutcome;
}
