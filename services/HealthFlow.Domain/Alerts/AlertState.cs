using HealthFlow.Domain.Events;

namespace HealthFlow.Domain.Alerts;

/// <summary>
/// The state of one alert stream (alert-{id}), folded from its events, and the acknowledgement decision.
/// </summary>
public sealed record AlertState(
    Guid AlertId,
    Guid PatientId,
    Guid ObservationId,
    string Rule,
    string Severity,
    DateTimeOffset RaisedAt,
    string? AcknowledgedBy,
    DateTimeOffset? AcknowledgedAt)
{
    public bool IsAcknowledged => AcknowledgedAt is not null;

    /// <summary>Folds a stream's events; null when the stream holds no AlertRaised (an unknown alert).</summary>
    public static AlertState? From(IEnumerable<IDomainEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        AlertState? state = null;
        foreach (var e in events)
        {
            state = Apply(state, e);
        }

        return state;
    }

    /// <summary>Folds a stream as read from the store; event types other than the alert's are ignored.</summary>
    public static AlertState? From(IEnumerable<EventEnvelope> envelopes)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        return From(envelopes.Select(ToAlertEvent).OfType<IDomainEvent>());
    }

    public static AlertState? Apply(AlertState? state, IDomainEvent e) => (state, e) switch
    {
        (null, AlertRaised raised) => new AlertState(
            raised.AlertId, raised.PatientId, raised.ObservationId, raised.Rule, raised.Severity, raised.RaisedAt,
            AcknowledgedBy: null, AcknowledgedAt: null),
        (not null, AlertRaised) => throw new InvalidOperationException($"Alert {state.AlertId} was raised twice."),
        (null, AlertAcknowledged ack) => throw new InvalidOperationException($"Alert {ack.AlertId} was acknowledged before it was raised."),
        (not null, AlertAcknowledged ack) => state with { AcknowledgedBy = ack.AcknowledgedBy, AcknowledgedAt = ack.AcknowledgedAt },
        _ => state,
    };

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
