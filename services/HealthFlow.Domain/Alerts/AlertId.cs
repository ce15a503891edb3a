using UUIDNext;

namespace HealthFlow.Domain.Alerts;

/// <summary>
/// The id of the one alert a check-in may raise: a UUIDv5 (RFC 4122 name-based, SHA-1) of the
/// observation id. However often the observation is delivered, and however many ObservationSubmitted
/// copies exist, the alert worker's "stream must not exist" append makes every copy after the first a no-op.
/// </summary>
public static class AlertId
{
    /// <summary>HealthFlow's fixed namespace for alert ids. Changing it would re-key every alert.</summary>
    public static readonly Guid Namespace = new("00f65823-c4a9-4404-98f6-b793839f634b");

    public static Guid For(Guid observationId) => Uuid.NewNameBased(Namespace, $"{observationId:D}");

    /// <summary>
    /// The id of the one alert a missed check-in window may raise: a UUIDv5 of the patient and the window's due time
    /// (UTC, to the tick). However many deadline messages arrive for the window, and whichever worker takes them,
    /// only the first "must not exist" append raises it. The name cannot collide with an observation's: it is longer.
    /// </summary>
    public static Guid ForMissedCheckIn(Guid patientId, DateTimeOffset dueAt) =>
        Uuid.NewNameBased(Namespace, $"check-in-missed/{patientId:D}/{dueAt.UtcTicks}");
}
