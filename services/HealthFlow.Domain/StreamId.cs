
namespace HealthFlow.Domain;

/// <summary>A typed event-stream name: `patient-{id}`, `observation-{id}`, `alert-{id}`, `careteam-{id}`, `audit-{id}` or `schedule-{id}`.</summary>
public readonly record struct StreamId(string Value)
{
    /// <summary>The prefixes also bound each writer's IAM access (dynamodb:LeadingKeys, HealthFlowAccess).</summary>
    public const string PatientPrefix = "patient-";
    public const string ObservationPrefix = "observation-";
    public const string AlertPrefix = "alert-";
    public const string CareTeamPrefix = "careteam-";
    public const string AuditPrefix = "audit-";
    public const string SchedulePrefix = "schedule-";

    public static StreamId ForPatient(Guid patientId) => new($"{PatientPrefix}{patientId:D}");

    /// <summary>One stream per check-in, so check-ins never contend and "must not exist" is their idempotency.</summary>
    public static StreamId ForObservation(Guid observationId) => new($"{ObservationPrefix}{observationId:D}");

    public static StreamId ForAlert(Guid alertId) => new($"{AlertPrefix}{alertId:D}");

    /// <summary>One stream per care team: its creation and every membership change, in order.</summary>
    public static StreamId ForCareTeam(Guid careTeamId) => new($"{CareTeamPrefix}{careTeamId:D}");

    /// <summary>
    /// One stream per group commit of audit records (a UUIDv7 per batch), appended with "must not exist", so
    /// audit writers never contend with each other or with anything else.
    /// </summary>
    public static StreamId ForAuditBatch(Guid batchId) => new($"{AuditPrefix}{batchId:D}");

    /// <summary>
    /// A patient's check-in schedule bookkeeping (alert-worker's only): the check-ins received and the windows missed.
    /// One stream per patient, so a check-in and a deadline decision on it are serialised by its version.
    /// </summary>
    public static StreamId ForSchedule(Guid patientId) => new($"{SchedulePrefix}{patientId:D}");

    public override string ToString() => Value;
}
