using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HealthFlow.ServiceDefaults.Authentication;

/// <summary>
/// A stream ticket lets a browser's EventSource, which cannot send headers, open the alert stream without
/// putting the access token in a URL that proxies log. auth-api issues it (POST /api/alerts/stream-ticket,
/// routed to auth-api by the gateway) as an ES256 JWT with its own audience, a 30 s lifetime and a `jti`;
/// every query-api instance verifies it with the JWKS it already has, so no secret is shared between them.
/// The audience keeps a ticket from ever passing as an access token, and the other way round.
/// </summary>
public static class StreamTickets
{
    public const string Path = "/api/alerts/stream-ticket";
    public const string QueryParameter = "ticket";
    public const string Audience = "healthflow-alert-stream";
    public const int LifetimeSeconds = 30;

    /// <summary>
    /// The ticket's claim for when the access token it was issued for expires (Unix seconds): the ticket only
    /// opens the stream, and the stream lives as long as the access token behind it, no longer.
    /// </summary>
    public const string AccessExpiresClaim = "access_exp";

    /// <summary>
    /// When a stream opened by <paramref name="user"/> must end: the access token's expiry, read from a ticket's
    /// <see cref="AccessExpiresClaim"/> or an access token's own `exp`. A ticket without the claim (from an
    /// auth-api older than it) ends the stream at its own expiry, and the client reconnects with a new one.
    /// Null when neither claim is readable, which a validated token never is (`exp` is required).
    /// </summary>
    public static DateTimeOffset? StreamExpiresAt(ClaimsPrincipal user)
    {
        foreach (var type in new[] { AccessExpiresClaim, "exp" })
        {
            if (long.TryParse(user.FindFirst(type)?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
            {
                return DateTimeOffset.FromUnixTimeSeconds(seconds);
            }
        }

        return null;
    }
}

/// <summary>
/// Where a stream ticket's use is recorded, so it opens one stream only. query-api's record is shared by all its
/// instances (a DynamoDB item per ticket): a ticket redeemed on one task must not open a second stream on another,
/// which the gateway or the ALB may route the replay to.
/// </summary>
public interface IStreamTicketLedger
{
    /// <summary>
    /// Records <paramref name="ticketId"/> as used, to be kept until <paramref name="keepUntil"/>; false when it
    /// already was.
    /// </summary>
    Task<bool> TryRedeemAsync(string ticketId, DateTimeOffset keepUntil, CancellationToken cancellationToken);
}

/// <summary>
/// The ledger of one process, for an API that opens no stream (command-api validates tickets only to refuse them)
/// and the tests of the ticket's checks: it is single-use within this process only.
/// </summary>
public sealed class InProcessStreamTicketLedger(TimeProvider timeProvider) : IStreamTicketLedger
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _redeemed = new(StringComparer.Ordinal);

    public Task<bool> TryRedeemAsync(string ticketId, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        foreach (var (jti, expires) in _redeemed)
        {
            if (expires < now)
            {
                _redeemed.TryRemove(jti, out _);
            }
        }

        return Task.FromResult(_redeemed.TryAdd(ticketId, keepUntil));
    }
}

/// <summary>Checks a stream ticket and redeems it once, in the <see cref="IStreamTicketLedger"/>.</summary>
public sealed class StreamTicketRedemptions(TimeProvider timeProvider, IStreamTicketLedger ledger)
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public async Task<ClaimsPrincipal?> RedeemAsync(string ticket, TokenValidationParameters accessTokenParameters, ICollection<SecurityKey> keys, CancellationToken cancellationToken = default)
    {
        if (ticket.Length > 4096)
        {
            return null;
        }

        var parameters = accessTokenParameters.Clone();
        parameters.ValidAudience = StreamTickets.Audience;
        parameters.ValidAudiences = null;
        parameters.IssuerSigningKeys = keys;
        parameters.RequireExpirationTime = true;
        parameters.ClockSkew = TimeSpan.FromSeconds(5);
        // The ticket's 30 s are measured on the clock this service was given, as the redemption record's are
        // (the handler's own lifetime check reads the system clock).
        parameters.LifetimeValidator = (notBefore, expires, _, validation) =>
        {
            var now = timeProvider.GetUtcNow().UtcDateTime;
            return expires is { } until
                && now <= until.ToUniversalTime() + validation.ClockSkew
                && (notBefore is not { } from || from.ToUniversalTime() <= now + validation.ClockSkew);
        };
        var result = await _handler.ValidateTokenAsync(ticket, parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken token || string.IsNullOrEmpty(token.Id))
        {
            return null;
        }

        // Kept past the ticket's expiry plus the skew, so it cannot be used again while still valid.
        return await ledger.TryRedeemAsync(token.Id, new DateTimeOffset(token.ValidTo, TimeSpan.Zero) + parameters.ClockSkew, cancellationToken)
            ? new ClaimsPrincipal(result.ClaimsIdentity)
            : null;
    }
}
