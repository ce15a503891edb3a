namespace HealthFlow.ServiceDefaults.Authentication;

/// <summary>The claims auth-api puts in a HealthFlow access token (short JWT names; inbound mapping is off).</summary>
public static class HealthFlowClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Role = "role";
    public const string PatientId = "patient_id";
}

public static class HealthFlowRoles
{
    public const string Patient = "patient";
    public const string Clinician = "clinician";

    /// <summary>Manages care teams and clinician accounts and reads the audit trail; sees no clinical data.</summary>
    public const string Admin = "admin";

    public static bool IsKnown(string? role) => role is Patient or Clinician or Admin;
}

/// <summary>Authorization policy names. Each role policy requires an authenticated caller in that role.</summary>
public static class HealthFlowPolicies
{
    public const string Patient = HealthFlowRoles.Patient;
    public const string Clinician = HealthFlowRoles.Clinician;
    public const string Admin = HealthFlowRoles.Admin;

    /// <summary>An admin or a clinician: GET /api/care-teams shows an admin every team, a clinician their own.</summary>
    public const string AdminOrClinician = "admin-or-clinician";

    /// <summary>A patient or a clinician; endpoints then check that a patient only reaches their own data.</summary>
    public const string PatientOrClinician = "patient-or-clinician";
}
