namespace HealthFlow.Domain;

/// <summary>A typed event-stream name: `patient-{id}` or `alert-{id}`.</summary>
public readonly record struct StreamId(string Value)
{
    public static StreamId ForPatient(Guid patientId) => new($"patient-{patientId:D}");
    public static StreamId ForAlert(Guid alertId) => new($"alert-{alertId:D}");

    public override string ToString() => Value;
}
