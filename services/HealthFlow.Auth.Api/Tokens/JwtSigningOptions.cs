using System.ComponentModel.DataAnnotations;
using HealthFlow.ServiceDefaults.Authentication;

namespace HealthFlow.Auth.Api.Tokens;

/// <summary>Section "Jwt" as auth-api reads it: what it signs with and what it puts in tokens.</summary>
public sealed class JwtSigningOptions
{
    public const string SectionName = "Jwt";

    /// <summary>
    /// The ES256 private key, PEM (PKCS#8 or SEC1 "EC PRIVATE KEY", curve P-256). On AWS it is injected
    /// from Secrets Manager. When absent, Development generates one (see SigningKeyProvider).
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>
    /// The key before the last rotation (Secrets Manager's AWSPREVIOUS on AWS), public half used only: the
    /// JWKS keeps publishing it so tokens it signed stay valid until they expire. Ignored unless it is a
    /// P-256 PEM.
    /// </summary>
    public string? PreviousSigningKey { get; set; }

    /// <summary>
    /// auth-api's own JWKS behind its service name (http://auth-api/.well-known/jwks.json), where its peer tasks
    /// answer: during a rolling restart with a new key, tokens the other tasks signed are accepted too. Optional.
    /// </summary>
    public string? JwksUrl { get; set; }

    /// <summary>Where Development keeps its generated key; default under the user's local app data.</summary>
    public string? DevelopmentKeyFile { get; set; }

    [Required]
    public string Issuer { get; set; } = JwtDefaults.Issuer;

    [Required]
    public string Audience { get; set; } = JwtDefaults.Audience;

    [Range(1, 24 * 60)]
    public int LifetimeMinutes { get; set; } = 60;
}
