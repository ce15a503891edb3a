namespace HealthFlow.Domain.Events;

// The domain events of HealthFlow. The record name is the event type written to
// the store and used as the EventBridge detail-type.

public interface IDomainEvent;

/// <summary>Appended by auth-api to stream patient-{id} (version 1) when a patient registers.</summary>
public sealed record PatientRegistered(
    Guid PatientId,
    string Username,
    string DisplayName,
    DateTimeOffset RegisteredAt) : IDomainEvent;

/// <summary>Appended by command-api as the only event of its own stream observation-{id}, one per accepted check-in.</summary>
public sealed record ObservationSubmitted(
    Guid ObservationId,
    Guid PatientId,
    VitalSigns Vitals,
    DateTimeOffset MeasuredAt,
    DateTimeOffset SubmittedAt,
    string? Note) : IDomainEvent;

/// <summary>
/// Appended by alert-worker to a new stream alert-{id}; the id is a UUIDv5 of the observation id, so a
/// check-in raises at most one alert. <c>Rule</c> is the most severe rule that fired; <c>Rules</c> lists
/// every one (absent in alerts raised before rules were combined: then it is just <c>Rule</c>).
/// </summary>
public sealed record AlertRaised(
    Guid AlertId,
    Guid PatientId,
    Guid ObservationId,
    string Severity,
    string Rule,
    IReadOnlyList<string> Reasons,
    int? Score,
    int? News2,
    bool Partial,
    DateTimeOffset RaisedAt,
    IReadOnlyList<string>? Rules = null) : IDomainEvent
{
    public IReadOnlyList<string> AllRules => Rules is { Count: > 0 } ? Rules : [Rule];
}

/// <summary>Appended by command-api to stream alert-{id} when a clinician acknowledges.</summary>
public sealed record AlertAcknowledged(
    Guid AlertId,
    Guid PatientId,
    string AcknowledgedBy,
    string? Note,
    DateTimeOffset AcknowledgedAt) : IDomainEvent;

/// <summary>
/// Appended by alert-worker to stream alert-{id} when the alert is still unacknowledged at its deadline
/// (EscalationPolicy): at most once per alert and level. <c>DueAt</c> is the deadline; <c>EscalatedAt</c> when
/// the worker decided, which is later by the delivery delay or, after an outage, by the time the worker was down.
/// </summary>
public sealed record AlertEscalated(
    Guid AlertId,
    Guid PatientId,
    string Severity,
    int Level,
    DateTimeOffset DueAt,
    DateTimeOffset EscalatedAt) : IDomainEvent;

/// <summary>What a check-in measured. Every field is optional, but at least one is present.</summary>
public sealed record VitalSigns(
    int? Score = null,
    int? HeartRate = null,
    int? RespiratoryRate = null,
    int? OxygenSaturation = null,
    bool? OnSupplementalOxygen = null,
    int? SystolicBp = null,
    int? DiastolicBp = null,
    decimal? Temperature = null,
    Consciousness? Consciousness = null);

public enum Consciousness { Alert, Confusion, Voice, Pain, Unresponsive }

public static class EventTypes
{
    public const string PatientRegistered = nameof(Events.PatientRegistered);
    public const string ObservationSubmitted = nameof(Events.ObservationSubmitted);
    public const string AlertRaised = nameof(Events.AlertRaised);
    public const string AlertAcknowledged = nameof(Events.AlertAcknowledged);
    public const string AlertEscalated = nameof(Events.AlertEscalated);

    public static string Of(IDomainEvent e) => e.GetType().Name;
}
