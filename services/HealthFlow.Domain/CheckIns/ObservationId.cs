using UUIDNext;

namespace HealthFlow.Domain.CheckIns;

/// <summary>
/// The id of a check-in, which also names its stream. With an Idempotency-Key it is a UUIDv5 of
/// (patient, key): a retry computes the same id, finds the stream written, and appends nothing.
/// Without a key it is a fresh UUIDv7 (time-ordered, so the store's keys stay roughly sequential).
/// </summary>
public static class ObservationId
{
    /// <summary>HealthFlow's fixed namespace for check-in ids. Changing it would re-key every retry in flight.</summary>
    public static readonly Guid Namespace = new("5a3c1f0e-7d2b-4e8a-9c6f-2b1d0e4f8a37");

    public static Guid For(Guid patientId, string? idempotencyKey) =>
        idempotencyKey is null
            ? Guid.CreateVersion7()
            : Uuid.NewNameBased(Namespace, $"{patientId:D}/{idempotencyKey}");
}
