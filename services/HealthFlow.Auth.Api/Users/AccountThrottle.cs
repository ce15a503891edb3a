using HealthFlow.Aws.ReadModels;
using HealthFlow.Domain.Patients;
using Microsoft.Extensions.Options;

namespace HealthFlow.Auth.Api.Users;

/// <summary>
/// Increasing backoff per account after failed logins, counted in DynamoDB so every auth-api task sees the
/// same count: N tasks do not give N times the guesses, and neither do many client addresses.
/// </summary>
public sealed class AccountThrottle(LoginThrottleStore store, IOptions<LoginRateLimitOptions> options)
{
    /// <summary>How long the account must still wait before a password is checked, or null.</summary>
    public async Task<TimeSpan?> BlockedForAsync(string username, CancellationToken cancellationToken) =>
        Account(username) is { } account ? await store.BlockedForAsync(account, cancellationToken) : null;

    public async Task RecordAsync(string username, bool succeeded, CancellationToken cancellationToken)
    {
        if (Account(username) is not { } account)
        {
            return;
        }

        if (succeeded)
        {
            await store.ResetAsync(account, cancellationToken);
        }
        else
        {
            var settings = options.Value;
            await store.RecordFailureAsync(account, settings.FreeFailuresPerAccount, TimeSpan.FromSeconds(settings.MaxBackoffSeconds), cancellationToken);
        }
    }

    // A name no account can have is never a key (DynamoDB limits key size); such attempts only ever get 401.
    private static string? Account(string username) =>
        RegistrationValidator.IsWellFormedUsername(username) ? RegistrationValidator.NormalizeUsername(username) : null;
}
