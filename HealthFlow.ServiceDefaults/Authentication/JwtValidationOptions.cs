using System.ComponentModel.DataAnnotations;

namespace HealthFlow.ServiceDefaults.Authentication;

/// <summary>
/// How the APIs validate access tokens (section "Jwt"). The keys come from auth-api's JWKS:
/// `Jwt:JwksUrl` (e.g. http://auth-api/.well-known/jwks.json, resolved through service discovery)
/// or `Jwt:Authority` (auth-api's base URL; the JWKS path is appended).
/// </summary>
public sealed class JwtValidationOptions : IValidatableObject
{
    public const string SectionName = "Jwt";
    public const string JwksPath = "/.well-known/jwks.json";

    public string? JwksUrl { get; set; }

    public string? Authority { get; set; }

    [Required]
    public string Issuer { get; set; } = JwtDefaults.Issuer;

    [Required]
    public string Audience { get; set; } = JwtDefaults.Audience;

    /// <summary>In-cluster traffic to auth-api is plain HTTP (service discovery locally, the VPC on AWS).</summary>
    public bool RequireHttpsMetadata { get; set; }

    /// <summary>Tolerated clock difference between auth-api and the validating service.</summary>
    [Range(0, 300)]
    public int ClockSkewSeconds { get; set; } = 30;

    public string ResolveJwksUrl() =>
        !string.IsNullOrWhiteSpace(JwksUrl)
            ? JwksUrl
            : Authority!.TrimEnd('/') + JwksPath;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(JwksUrl) && string.IsNullOrWhiteSpace(Authority))
        {
            yield return new ValidationResult(
                "Set Jwt:JwksUrl or Jwt:Authority so the service can fetch auth-api's signing keys.",
                [nameof(JwksUrl), nameof(Authority)]);
        }
    }
}

/// <summary>Defaults shared by the token issuer (auth-api) and the validators, so both agree without configuration.</summary>
public static class JwtDefaults
{
    public const string Issuer = "healthflow-auth";
    public const string Audience = "healthflow-api";
}
