using HealthFlow.Domain.Monitoring;

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

/// <summary>
/// Appended by command-api to stream patient-{id}, after PatientRegistered, when a clinician (or an admin) sets the
/// patient's monitoring plan. <c>Version</c> counts the patient's plans, 1, 2, 3; the plan replaces the one before
/// from <c>SetAt</c> on, for check-ins submitted from then.
/// </summary>
public sealed record MonitoringPlanSet(
    Guid PatientId,
    int Version,
    MonitoringPlan Plan,
    string SetBy,
    string Reason,
    DateTimeOffset SetAt) : IDomainEvent;

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
/// check-in raises at most one alert. A missed check-in (rule <c>check-in-missed</c>) has no observation:
/// <c>ObservationId</c> is null, <c>MissedDueAt</c> is the missed window's due time and the id a UUIDv5 of the patient
/// and that time, so a window raises at most one alert; every other alert carries its observation and no due time. <c>Rule</c> is the most severe rule that fired; <c>Rules</c> lists
/// every one (absent in alerts raised before rules were combined: then it is just <c>Rule</c>). <c>PlanVersion</c> is
/// the version of the patient's monitoring plan the check-in was judged by; absent, the defaults (no plan, or an
/// alert raised before plans existed).
/// </summary>
public sealed record AlertRaised(
    Guid AlertId,
    Guid PatientId,
    Guid? ObservationId,
    string Severity,
    string Rule,
    IReadOnlyList<string> Reasons,
    int? Score,
    int? News2,
    bool Partial,
    DateTimeOffset RaisedAt,
    IReadOnlyList<string>? Rules = null,
    int? PlanVersion = null,
    DateTimeOffset? MissedDueAt = null) : IDomainEvent
{
    public IReadOnlyList<string> AllRules => Rules is { Count: > 0 } ? Rules : [Rule];
}

/// <summary>
/// Appended by alert-worker to schedule-{patientId} for each check-in of a patient whose plan in force has a check-in
/// schedule, once per observation: what the schedule's deadlines are decided on. <c>SubmittedAt</c> is the
/// observation's submission time, which decides the window it satisfies.
/// </summary>
public sealed record CheckInReceived(Guid PatientId, Guid ObservationId, DateTimeOffset SubmittedAt) : IDomainEvent;

/// <summary>
/// Appended by alert-worker to schedule-{patientId} when no check-in satisfied the window due at <c>DueAt</c> by its
/// <c>Deadline</c> under plan <c>PlanVersion</c>, once per window; <c>AlertId</c> is the missed-check-in alert it raises.
/// </summary>
public sealed record CheckInWindowMissed(
    Guid PatientId,
    Guid AlertId,
    int PlanVersion,
    DateTimeOffset DueAt,
    DateTimeOffset Deadline,
    DateTimeOffset DecidedAt) : IDomainEvent;

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

/// <summary>Appended by command-api as version 1 of careteam-{id}: an admin created the team.</summary>
public sealed record CareTeamCreated(Guid CareTeamId, string Name, string CreatedBy, DateTimeOffset CreatedAt) : IDomainEvent;

/// <summary>A clinician (by username) joined the team: they see its patients from now on.</summary>
public sealed record ClinicianAssignedToCareTeam(Guid CareTeamId, string ClinicianId, string AssignedBy, DateTimeOffset AssignedAt) : IDomainEvent;

/// <summary>A clinician left the team: its patients disappear from everything they see, within seconds.</summary>
public sealed record ClinicianRemovedFromCareTeam(Guid CareTeamId, string ClinicianId, string RemovedBy, DateTimeOffset RemovedAt) : IDomainEvent;

/// <summary>A patient joined the team: the team's clinicians see them from now on.</summary>
public sealed record PatientAssignedToCareTeam(Guid CareTeamId, Guid PatientId, string AssignedBy, DateTimeOffset AssignedAt) : IDomainEvent;

/// <summary>A patient left the team.</summary>
public sealed record PatientRemovedFromCareTeam(Guid CareTeamId, Guid PatientId, string RemovedBy, DateTimeOffset RemovedAt) : IDomainEvent;

/// <summary>
/// One audit record: someone was given (or refused) a patient's data. Appended in batches to audit-{batch}
/// streams by the API that answered; projected into the append-only `audit` table.
/// </summary>
/// <param name="Action">The endpoint, e.g. <c>GET /api/patients/{patientId}/observations</c>.</param>
/// <param name="ResourceIds">The ids of what was returned (alerts, observations), or the one asked for.</param>
/// <param name="Count">How many items of this patient the response carried.</param>
/// <param name="Outcome"><c>allowed</c> or <c>denied</c>.</param>
/// <param name="CorrelationId">The request's X-Correlation-Id (or trace id), to find the record of one call.</param>
/// <param name="ResourceTypes">How many resources of each type (FHIR <c>Observation</c>, ...) the response carried;
/// set when <paramref name="ResourceIds"/> could not list them all.</param>
/// <param name="ResourceIdsOmitted">How many ids did not fit into the record (0: <paramref name="ResourceIds"/> is complete).</param>
/// <param name="Query">The request's path and query string: what produced the disclosure, when its ids did not all fit.</param>
public sealed record PatientDataAccessed(
    Guid RecordId,
    string Actor,
    string ActorRole,
    Guid? PatientId,
    string Action,
    IReadOnlyList<string> ResourceIds,
    int Count,
    string Outcome,
    string? ClientAddress,
    DateTimeOffset AccessedAt,
    string? CorrelationId = null,
    IReadOnlyDictionary<string, int>? ResourceTypes = null,
    int ResourceIdsOmitted = 0,
    string? Query = null) : IDomainEvent;

/// <summary>
/// What a check-in measured: the symptom score and the vital signs. Every field is optional, but at least one is
/// present. This is the one definition of a check-in's measurements: the JSON body (CheckInBody) and the read
/// model's view (CheckInView) extend it, so their flat JSON carries these same properties.
/// </summary>
public record VitalSigns(
    int? Score = null,
    int? HeartRate = null,
    int? RespiratoryRate = null,
    int? OxygenSaturation = null,
    bool? OnSupplementalOxygen = null,
    int? SystolicBp = null,
    int? DiastolicBp = null,
    decimal? Temperature = null,
    Consciousness? Consciousness = null)
{
    /// <summary>
    /// The measurements alone, as a plain <see cref="VitalSigns"/>: what an event stores and what compares equal
    /// to the same measurements, whichever shape carried them.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public VitalSigns Vitals => GetType() == typeof(VitalSigns) ? this : new VitalSigns(this);
}

public enum Consciousness { Alert, Confusion, Voice, Pain, Unresponsive }

public static class EventTypes
{
    public const string PatientRegistered = nameof(Events.PatientRegistered);
    public const string MonitoringPlanSet = nameof(Events.MonitoringPlanSet);
    public const string ObservationSubmitted = nameof(Events.ObservationSubmitted);
    public const string AlertRaised = nameof(Events.AlertRaised);
    public const string AlertAcknowledged = nameof(Events.AlertAcknowledged);
    public const string AlertEscalated = nameof(Events.AlertEscalated);
    public const string CheckInReceived = nameof(Events.CheckInReceived);
    public const string CheckInWindowMissed = nameof(Events.CheckInWindowMissed);
    public const string CareTeamCreated = nameof(Events.CareTeamCreated);
    public const string ClinicianAssignedToCareTeam = nameof(Events.ClinicianAssignedToCareTeam);
    public const string ClinicianRemovedFromCareTeam = nameof(Events.ClinicianRemovedFromCareTeam);
    public const string PatientAssignedToCareTeam = nameof(Events.PatientAssignedToCareTeam);
    public const string PatientRemovedFromCareTeam = nameof(Events.PatientRemovedFromCareTeam);
    public const string PatientDataAccessed = nameof(Events.PatientDataAccessed);

    /// <summary>Every event of a careteam-{id} stream.</summary>
    public static readonly IReadOnlyList<string> CareTeam =
        [CareTeamCreated, ClinicianAssignedToCareTeam, ClinicianRemovedFromCareTeam, PatientAssignedToCareTeam, PatientRemovedFromCareTeam];

    public static string Of(IDomainEvent e) => e.GetType().Name;
}
