using System.Security.Claims;

namespace HealthFlow.ServiceDefaults.Authentication;

public static class ClaimsPrincipalExtensions
{
    /// <summary>The patient the token was issued to; null for clinicians or a malformed claim.</summary>
    public static Guid? GetPatientId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(HealthFlowClaims.PatientId), out var id) ? id : null;

    /// <summary>The stable user id (`sub`, the username).</summary>
    public static string GetUserId(this ClaimsPrincipal user) =>
        user.FindFirstValue(HealthFlowClaims.Subject)
        ?? throw new InvalidOperationException("An authenticated HealthFlow principal always has a sub claim.");

    public static bool IsClinician(this ClaimsPrincipal user) => user.IsInRole(HealthFlowRoles.Clinician);

    public static string GetRole(this ClaimsPrincipal user) => user.FindFirstValue(HealthFlowClaims.Role) ?? "unknown";

    /// <summary>
    /// The role check only: a clinician may read patients (which ones, their care teams decide: PatientScopes in
    /// HealthFlow.PatientAccess); a patient only themself.
    /// </summary>
    public static bool MayRead(this ClaimsPrincipal user, Guid patientId) =>
        user.IsClinician() || (user.IsInRole(HealthFlowRoles.Patient) && user.GetPatientId() == patientId);
}
