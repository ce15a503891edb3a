using UUIDNext;

namespace HealthFlow.Auth.Api.Users;

/// <summary>
/// A patient's id is a UUIDv5 of the normalised username, so every attempt to register one username
/// targets the same stream patient-{id}. That is what makes registration safe to retry (see PatientRegistrar).
/// </summary>
public static class PatientIds
{
    /// <summary>HealthFlow's fixed namespace for patient ids. Changing it would re-key every patient.</summary>
    public static readonly Guid Namespace = new("6d1f3d0e-8f7a-4f54-9a51-0c0b9b3f2a77");

    public static Guid ForUsername(string normalizedUsername) => Uuid.NewNameBased(Namespace, normalizedUsername);
}
