using HealthFlow.Domain.Events;

namespace HealthFlow.Domain.Alerts;

/// <summary>
/// The state of one alert stream (alert-{id}), folded from its events, and the acknowledgement and escalation decisions.
/// <see cref="Version"/> is the stream version folded up to: the expected version of the next append.
/// </summary>
public sealed record AlertState(
    Guid AlertId,
    Guid PatientId,
    Guid? ObservationId,
    string Rule,
    string Severity,
    DateTimeOffset RaisedAt,
    string? AcknowledgedBy,
    DateTimeOffset? AcknowledgedAt,
    DateTimeOffset? EscalatedAt = null,
    int EscalationLevel = 0,
    long Version = 1)
{
    /// <summary>This policy has one level: an open alert past its deadline is escalated once.</summary>
    public const int FirstEscalationLevel = 1;

    public bool IsAcknowledged => AcknowledgedAt is not null;

    public bool IsEscalated => EscalationLevel > 0;

    /// <summary>
    /// Folds a stream's events, one event per commit as alert streams are written (so the version is their count);
    /// null when the stream holds no AlertRaised (an unknown alert).
    /// </summary>
    public static AlertState? From(IEnumerable<IDomainEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        AlertState? state = null;
        var version = 0L;
        foreach (var e in events)
        {
            state = Apply(state, e);
            version++;
        }

        return state is null ? null : state with { Version = version };
    }

    /// <summary>Folds a stream as read from the store, up to its last commit's version; event types other than the alert's are ignored.</summary>
    public static AlertState? From(IEnumerable<EventEnvelope> envelopes)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        return envelopes.Aggregate((AlertState?)null, Evolve);
    }

    /// <summary>One step of <see cref="From(IEnumerable{EventEnvelope})"/>, for folding a stream as it is read.</summary>
    public static AlertState? Evolve(AlertState? state, EventEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (ToAlertEvent(envelope) is { } e)
        {
            state = Apply(state, e);
        }

        return state is null ? null : state with { Version = Math.Max(state.Version, envelope.Version) };
    }

    public static AlertState? Apply(AlertState? state, IDomainEvent e) => (state, e) switch
    {
        (null, AlertRaised raised) => new AlertState(
            raised.AlertId, raised.PatientId, raised.ObservationId, raised.Rule, raised.Severity, raised.RaisedAt,
            AcknowledgedBy: null, AcknowledgedAt: null),
        (not null, AlertRaised) => throw new InvalidOperationException($"Alert {state.AlertId} was raised twice."),
        (null, AlertAcknowledged ack) => throw new InvalidOperationException($"Alert {ack.AlertId} was acknowledged before it was raised."),
        (not null, AlertAcknowledged ack) => state with { AcknowledgedBy = ack.AcknowledgedBy, AcknowledgedAt = ack.AcknowledgedAt },
        (null, AlertEscalated escalated) => throw new InvalidOperationException($"Alert {escalated.AlertId} was escalated before it was raised."),
        (not null, AlertEscalated escalated) => state with { EscalatedAt = escalated.EscalatedAt, EscalationLevel = escalated.Level },
        _ => state,
    };

    /// <summary>
    /// Decides an escalation at <paramref name="now"/>: <see cref="EscalateOutcome.Escalated"/> only while the alert is
    /// open, not yet escalated and past its deadline. Append the event at <see cref="Version"/>: if anything was
    /// appended since this state was read (an acknowledgement, another worker's escalation), the append conflicts and
    /// the decision is taken again from the new state, so an alert is escalated at most once.
    /// </summary>
    public EscalateOutcome Escalate(EscalationPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (IsAcknowledged)
        {
            return new EscalateOutcome.NotEscalated(EscalationSkip.Acknowledged);
        }

        if (IsEscalated)
        {
            return new EscalateOutcome.NotEscalated(EscalationSkip.AlreadyEscalated);
        }

        if (policy.DeadlineFor(Severity, RaisedAt) is not { } dueAt)
        {
            return new EscalateOutcome.NotEscalated(EscalationSkip.NeverForSeverity);
        }

        return now < dueAt
            ? new EscalateOutcome.NotDueYet(dueAt)
            : new EscalateOutcome.Escalated(new AlertEscalated(AlertId, PatientId, Severity, FirstEscalationLevel, dueAt, now));
    }

    /// <summary>
    /// Decides an acknowledgement: the event to append, or <see cref="AcknowledgeOutcome.AlreadyAcknowledged"/>
    /// (answered 409) because acknowledging twice would overwrite who took responsibility and when.
    /// </summary>
    public AcknowledgeOutcome Acknowledge(string acknowledgedBy, string? note, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(acknowledgedBy);

        if (IsAcknowledged)
        {
            return new AcknowledgeOutcome.AlreadyAcknowledged(AcknowledgedBy!, AcknowledgedAt!.Value);
        }

        var trimmed = note?.Trim();
        return new AcknowledgeOutcome.Acknowledged(new AlertAcknowledged(
            AlertId, PatientId, acknowledgedBy, string.IsNullOrEmpty(trimmed) ? null : trimmed, now));
    }

    private static IDomainEvent? ToAlertEvent(EventEnvelope envelope) => envelope.Type switch
    {
        EventTypes.AlertRaised => envelope.DataAs<AlertRaised>(),
        EventTypes.AlertAcknowledged => envelope.DataAs<AlertAcknowledged>(),
        EventTypes.AlertEscalated => envelope.DataAs<AlertEscalated>(),
        _ => null,
    };
}

/// <summary>The result of <see cref="AlertState.Acknowledge"/>.</summary>
public abstract record AcknowledgeOutcome
{
    private AcknowledgeOutcome()
    {
    }

    /// <summary>Append <see cref="Event"/> to the alert's stream.</summary>
    public sealed record Acknowledged(AlertAcknowledged Event) : AcknowledgeOutcome;

    /// <summary>The alert was acknowledged before; nothing is appended.</summary>
    public sealed record AlreadyAcknowledged(string AcknowledgedBy, DateTimeOffset AcknowledgedAt) : AcknowledgeOutcome;
}

/// <summary>The result of <see cref="AlertState.Escalate"/>.</summary>
public abstract record EscalateOutcome
{
    private EscalateOutcome()
    {
    }

    /// <summary>Append <see cref="Event"/> to the alert's stream at the state's version.</summary>
    public sealed record Escalated(AlertEscalated Event) : EscalateOutcome;

    /// <summary>The deadline is still ahead (the message came early, or the policy was lengthened): wait until <see cref="DueAt"/>.</summary>
    public sealed record NotDueYet(DateTimeOffset DueAt) : EscalateOutcome;

    /// <summary>Nothing to do, now or later.</summary>
    public sealed record NotEscalated(EscalationSkip Reason) : EscalateOutcome;
}

/// <summary>Why an alert is not escalated.</summary>
public enum EscalationSkip { Acknowledged, AlreadyEscalated, NeverForSeverity }
