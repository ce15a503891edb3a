using System.Globalization;
using System.Security.Claims;
using HealthFlow.ServiceDefaults.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HealthFlow.Auth.Api.Tokens;

/// <summary>Issues the 30 s, single-use ticket that opens the alert stream (see <see cref="StreamTickets"/>).</summary>
public sealed class StreamTicketIssuer(SigningKeyProvider keys, IOptions<JwtSigningOptions> options, TimeProvider timeProvider)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public string Issue(ClaimsPrincipal user)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>
        {
            [HealthFlowClaims.Subject] = user.FindFirstValue(HealthFlowClaims.Subject) ?? "",
            [HealthFlowClaims.Name] = user.FindFirstValue(HealthFlowClaims.Name) ?? "",
            [HealthFlowClaims.Role] = user.FindFirstValue(HealthFlowClaims.Role) ?? "",
            [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
        };
        // The stream this ticket opens ends when the access token that asked for it expires (StreamTickets).
        if (long.TryParse(user.FindFirstValue(JwtRegisteredClaimNames.Exp), NumberStyles.Integer, CultureInfo.InvariantCulture, out var accessExpires))
        {
            claims[StreamTickets.AccessExpiresClaim] = accessExpires;
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = StreamTickets.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddSeconds(StreamTickets.LifetimeSeconds),
            Claims = claims,
            SigningCredentials = keys.Credentials,
        });
    }
}
