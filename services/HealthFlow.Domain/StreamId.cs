namespace HealthFlow.Domain;

/// <summary>A typed event-stream name: `patient-{id}`, `observation-{id}` or `alert-{id}`.</summary>
public readonly record struct StreamId(string Value)
{
    /// <summary>The prefixes also bound each writer's IAM access (dynamodb:LeadingKeys, HealthFlowAccess).</summary>
    public const string PatientPrefix = "patient-";
    public const string ObservationPrefix = "observation-";
    public const string AlertPrefix = "alert-";

    public static StreamId ForPatient(Guid patientId) => new($"{PatientPrefix}{patientId:D}");

    /// <summary>One stream per check-in, so check-ins never contend and "must not exist" is their idempotency.</summary>
    public static StreamId ForObservation(Guid observationId) => new($"{ObservationPrefix}{observationId:D}");

    public static StreamId ForAlert(Guid alertId) => new($"{AlertPrefix}{alertId:D}");

    public override string ToString() => Value;
}
