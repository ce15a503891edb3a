using System.ComponentModel.DataAnnotations;

namespace HealthFlow.Auth.Api;

/// <summary>Section "Auth".</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>`POST /login` registers an unknown patient on first login, as the original demo did. Local demo only.</summary>
    public bool AutoRegisterOnLogin { get; set; }

    /// <summary>Creates clinician1 / demo at startup. Local demo only.</summary>
    public bool SeedDemoClinician { get; set; }
}

/// <summary>Section "Auth:LoginRateLimit": fixed windows against password guessing.</summary>
public sealed class LoginRateLimitOptions : IValidatableObject
{
    public const string SectionName = "Auth:LoginRateLimit";

    /// <summary>Login attempts per client IP and username per window.</summary>
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 10;

    /// <summary>Login attempts per client IP (any username) per window, so one client cannot spray usernames.</summary>
    [Range(1, 10_000_000)]
    public int PerIpPermitLimit { get; set; } = 100;

    [Range(1, 3600)]
    public int WindowSeconds { get; set; } = 60;

    /// <summary>Registrations per client IP per window: each costs a PBKDF2 hash and two writes.</summary>
    [Range(1, 10_000_000)]
    public int RegisterPerIpPermitLimit { get; set; } = 20;

    /// <summary>Consecutive failed logins an account gets before the shared (DynamoDB) backoff starts.</summary>
    [Range(1, 1000)]
    public int FreeFailuresPerAccount { get; set; } = 5;

    /// <summary>
    /// The first block, after <see cref="FreeFailuresPerAccount"/> failures; it doubles with each further failure. Longer
    /// only where a test must act while an account is blocked, however slow its machine (ThrottlingTests).
    /// </summary>
    [Range(1, 86_400)]
    public int FirstBackoffSeconds { get; set; } = 1;

    /// <summary>The backoff doubles from <see cref="FirstBackoffSeconds"/> with each further failure, up to this.</summary>
    [Range(1, 86_400)]
    public int MaxBackoffSeconds { get; set; } = 900;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FirstBackoffSeconds > MaxBackoffSeconds)
        {
            yield return new ValidationResult(
                $"FirstBackoffSeconds ({FirstBackoffSeconds}) must not exceed MaxBackoffSeconds ({MaxBackoffSeconds}).",
                [nameof(FirstBackoffSeconds), nameof(MaxBackoffSeconds)]);
        }
    }
}
