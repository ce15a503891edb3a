namespace HealthFlow.Domain;

/// <summary>A typed event-stream name: `patient-{id}`, `observation-{id}` or `alert-{id}`.</summary>
public readonly record struct StreamId(string Value)
{
    public static StreamId ForPatient(Guid patientId) => new($"patient-{patientId:D}");

    /// <summary>One stream per check-in, so check-ins never contend and "must not exist" is their idempotency.</summary>
    public static StreamId ForObservation(Guid observationId) => new($"observation-{observationId:D}");

    public static StreamId ForAlert(Guid alertId) => new($"alert-{alertId:D}");

    public override string ToString() => Value;
}
