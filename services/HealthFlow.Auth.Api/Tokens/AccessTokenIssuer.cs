using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HealthFlow.Auth.Api.Tokens;

public sealed record IssuedToken(string AccessToken, int ExpiresInSeconds);

/// <summary>Issues the ES256 access token of a signed-in user. The role comes from the stored user only.</summary>
public sealed class AccessTokenIssuer(SigningKeyProvider keys, IOptions<JwtSigningOptions> options, TimeProvider timeProvider)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public IssuedToken Issue(UserRecord user)
    {
        var settings = options.Value;
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var lifetime = TimeSpan.FromMinutes(settings.LifetimeMinutes);
        var claims = new Dictionary<string, object>
        {
            [HealthFlowClaims.Subject] = user.Username,
            [HealthFlowClaims.Name] = user.DisplayName,
            [HealthFlowClaims.Role] = user.Role,
            [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
        };
        if (user.PatientId is { } patientId)
        {
            claims[HealthFlowClaims.PatientId] = patientId.ToString();
        }

        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Claims = claims,
            SigningCredentials = keys.Credentials,
        });
        return new IssuedToken(token, (int)lifetime.TotalSeconds);
    }
}
