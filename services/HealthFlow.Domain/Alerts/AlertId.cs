using UUIDNext;

namespace HealthFlow.Domain.Alerts;

/// <summary>
/// The id of the alert a rule raises for an observation: a UUIDv5 (RFC 4122 name-based, SHA-1) of
/// (observation event id, rule). A redelivered observation yields the same id, so the alert worker's
/// "stream must not exist" append turns the duplicate into a no-op instead of a second alert.
/// </summary>
public static class AlertId
{
    /// <summary>HealthFlow's fixed namespace for alert ids. Changing it would re-key every alert.</summary>
    public static readonly Guid Namespace = new("00f65823-c4a9-4404-98f6-b793839f634b");

    public static Guid For(Guid observationEventId, string rule)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rule);
        return Uuid.NewNameBased(Namespace, $"{observationEventId:D}/{rule}");
    }
}
