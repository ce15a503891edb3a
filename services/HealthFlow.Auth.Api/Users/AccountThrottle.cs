using HealthFlow.Domain.Patients;
using HealthFlow.ReadModels;
using Microsoft.Extensions.Options;

namespace HealthFlow.Auth.Api.Users;

/// <summary>
/// Increasing backoff per account after failed logins, counted in DynamoDB so every auth-api task sees the
/// same count: N tasks do not give N times the guesses, and neither do many client addresses or concurrent
/// requests. Each attempt is reserved (counted as a failure) before its password is checked, and a success
/// clears the count again.
/// </summary>
public sealed class AccountThrottle(LoginThrottleStore store, IOptions<LoginRateLimitOptions> options)
{
    /// <summary>Null when the password may be checked now (the attempt is counted); otherwise how long to wait.</summary>
    public async Task<TimeSpan?> ReserveAttemptAsync(string username, CancellationToken cancellationToken)
    {
        if (Account(username) is not { } account)
        {
            return null;
        }

        var settings = options.Value;
        return await store.ReserveAsync(
            account, settings.FreeFailuresPerAccount, TimeSpan.FromSeconds(settings.FirstBackoffSeconds), TimeSpan.FromSeconds(settings.MaxBackoffSeconds), cancellationToken) switch
        {
            LoginAttemptReservation.Blocked blocked => blocked.RetryAfter,
            _ => null,
        };
    }

    /// <summary>A success clears the account's count; a failure was counted when the attempt was reserved.</summary>
    public async Task RecordAsync(string username, bool succeeded, CancellationToken cancellationToken)
    {
        if (succeeded && Account(username) is { } account)
        {
            await store.ResetAsync(account, cancellationToken);
        }
    }

    // A name no account can have is never a key (DynamoDB limits key size); such attempts only ever get 401.
    private static string? Account(string username) =>
        RegistrationValidator.IsWellFormedUsername(username) ? RegistrationValidator.NormalizeUsername(username) : null;
}
