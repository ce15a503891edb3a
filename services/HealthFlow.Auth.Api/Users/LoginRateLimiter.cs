using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace HealthFlow.Auth.Api.Users;

/// <summary>
/// Limits login attempts with the ASP.NET Core rate limiter primitives, in two fixed-window partitions
/// chained: per client IP and username (password guessing against one account) and per client IP alone
/// (one client spraying many usernames). The username is in the body, which the rate-limiting middleware
/// cannot read, so the endpoint acquires the lease after binding. These windows are per task (a cheap first
/// line against floods); the per-account backoff that must hold across tasks is in DynamoDB (LoginThrottleStore).
/// </summary>
public sealed class LoginRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<LoginAttempt> _limiter;
    private readonly PartitionedRateLimiter<string> _registrations;

    public LoginRateLimiter(IOptions<LoginRateLimitOptions> options)
    {
        var settings = options.Value;
        var window = TimeSpan.FromSeconds(settings.WindowSeconds);
        _limiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<LoginAttempt, string>(attempt => RateLimitPartition.GetFixedWindowLimiter(
                attempt.ClientIp,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.PerIpPermitLimit, Window = window, QueueLimit = 0 })),
            PartitionedRateLimiter.Create<LoginAttempt, string>(attempt => RateLimitPartition.GetFixedWindowLimiter(
                $"{attempt.ClientIp}|{attempt.Username}",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.PermitLimit, Window = window, QueueLimit = 0 })));
        _registrations = PartitionedRateLimiter.Create<string, string>(clientIp => RateLimitPartition.GetFixedWindowLimiter(
            clientIp,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.RegisterPerIpPermitLimit, Window = window, QueueLimit = 0 }));
    }

    /// <summary>Null when a registration from this client may proceed; otherwise how long to wait.</summary>
    public TimeSpan? TryAcquireRegistration(IPAddress? clientIp)
    {
        using var lease = _registrations.AttemptAcquire(clientIp?.ToString() ?? "unknown");
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
    }

    /// <summary>Null when the attempt may proceed; otherwise how long to wait (for Retry-After).</summary>
    public TimeSpan? TryAcquire(IPAddress? clientIp, string normalizedUsername)
    {
        using var lease = _limiter.AttemptAcquire(new LoginAttempt(clientIp?.ToString() ?? "unknown", normalizedUsername));
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
    }

    public void Dispose()
    {
        _limiter.Dispose();
        _registrations.Dispose();
    }

    public readonly record struct LoginAttempt(string ClientIp, string Username);
}
