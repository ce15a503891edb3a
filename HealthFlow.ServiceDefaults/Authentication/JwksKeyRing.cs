using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace HealthFlow.ServiceDefaults.Authentication;

/// <summary>
/// auth-api's public keys as a validator knows them, from the JWKS behind auth-api's service name.
/// </summary>
/// <remarks>
/// During a rolling restart with a new key, the tasks behind that name publish different sets: an old task knows
/// only the old key, a new one the new key and the old one. So the ring keeps every key it has seen in the last
/// <see cref="KeyRetention"/>, not only the last answer; and a token with a kid it does not know makes it fetch
/// again before the token is validated, up to <see cref="FetchesPerUnknownKey"/> times in a row (each fetch may
/// reach another task), so that the token is accepted at once instead of answering 401 until a later refresh.
/// Fetches are bounded: concurrent requests share one fetch, and there are at most <see cref="MaxFetches"/> per
/// <see cref="FetchWindow"/>, so tokens with made-up kids cannot turn into a flood of JWKS requests.
/// </remarks>
public sealed class JwksKeyRing(
    string jwksUrl, string issuer, IDocumentRetriever retriever, TimeProvider time, ILogger<JwksKeyRing> logger)
    : IConfigurationManager<OpenIdConnectConfiguration>
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromHours(1);
    public static readonly TimeSpan KeyRetention = TimeSpan.FromHours(2);
    public static readonly TimeSpan FetchWindow = TimeSpan.FromSeconds(10);
    public const int MaxFetches = 4;
    public const int FetchesPerUnknownKey = 3;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (JsonWebKey Key, DateTimeOffset SeenAt)> _keys = new(StringComparer.Ordinal);
    private readonly Queue<DateTimeOffset> _recentFetches = new();
    private OpenIdConnectConfiguration? _configuration;
    private DateTimeOffset _fetchedAt;
    private bool _refreshRequested;
    private Task? _fetch;

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        bool stale;
        lock (_lock)
        {
            stale = _configuration is null || _refreshRequested || time.GetUtcNow() - _fetchedAt > RefreshInterval;
        }

        if (stale && StartOrJoinFetch() is { } fetch)
        {
            try
            {
                await fetch.WaitAsync(cancel);
            }
            catch (Exception e) when (e is not OperationCanceledException && _configuration is not null)
            {
                // Keep validating with the keys in hand; the next refresh tries again.
                logger.LogWarning(e, "auth-api's JWKS could not be refreshed from {JwksUrl}.", jwksUrl);
            }
        }

        return _configuration ?? throw new InvalidOperationException($"auth-api's JWKS has not been fetched from {jwksUrl} yet.");
    }

    /// <summary>Asked by the JwtBearer handler when a signature key was not found: the next configuration read refetches.</summary>
    public void RequestRefresh()
    {
        lock (_lock)
        {
            _refreshRequested = true;
        }
    }

    /// <summary>Whether the key that signed <paramref name="token"/> is known, fetching the JWKS again (boundedly) if it is not.</summary>
    public async Task<bool> TryResolveSigningKeyAsync(string token, CancellationToken cancel)
    {
        if (KeyIdOf(token) is not { } kid)
        {
            return false;
        }

        for (var attempt = 0; !IsKnown(kid); attempt++)
        {
            if (attempt == FetchesPerUnknownKey || StartOrJoinFetch() is not { } fetch)
            {
                return false;
            }

            try
            {
                await fetch.WaitAsync(cancel);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "auth-api's JWKS could not be fetched from {JwksUrl} for the unknown key {Kid}.", jwksUrl, kid);
            }
        }

        return true;
    }

    /// <summary>The keys with this kid that the ring holds (none, or one); only memory is read.</summary>
    public IReadOnlyList<SecurityKey> KeysFor(string? kid)
    {
        lock (_lock)
        {
            return kid is not null && _keys.TryGetValue(kid, out var entry) ? [entry.Key] : [];
        }
    }

    private bool IsKnown(string kid)
    {
        lock (_lock)
        {
            return _keys.ContainsKey(kid);
        }
    }

    private Task? StartOrJoinFetch()
    {
        lock (_lock)
        {
            if (_fetch is { IsCompleted: false })
            {
                return _fetch;
            }

            var now = time.GetUtcNow();
            while (_recentFetches.TryPeek(out var at) && now - at >= FetchWindow)
            {
                _recentFetches.Dequeue();
            }

            if (_recentFetches.Count >= MaxFetches)
            {
                return null;
            }

            _recentFetches.Enqueue(now);
            _refreshRequested = false;
            return _fetch = FetchAsync();
        }
    }

    private async Task FetchAsync()
    {
        var document = await retriever.GetDocumentAsync(jwksUrl, CancellationToken.None);
        var published = new JsonWebKeySet(document).Keys.Where(k => !string.IsNullOrEmpty(k.Kid)).ToList();
        lock (_lock)
        {
            var now = time.GetUtcNow();
            foreach (var key in published)
            {
                _keys[key.Kid] = (key, now);
            }

            foreach (var retired in _keys.Where(k => now - k.Value.SeenAt > KeyRetention).Select(k => k.Key).ToList())
            {
                _keys.Remove(retired);
            }

            var configuration = new OpenIdConnectConfiguration { Issuer = issuer, JwksUri = jwksUrl };
            foreach (var (key, _) in _keys.Values)
            {
                configuration.SigningKeys.Add(key);
            }

            _configuration = configuration;
            _fetchedAt = now;
        }
    }

    public static string? KeyIdOf(string token)
    {
        var handler = new JsonWebTokenHandler();
        try
        {
            return handler.CanReadToken(token) ? handler.ReadJsonWebToken(token).Kid : null;
        }
        catch (ArgumentException)
        {
            // Malformed: the JwtBearer handler refuses it.
            return null;
        }
    }
}
