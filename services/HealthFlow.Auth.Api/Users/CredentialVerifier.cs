using HealthFlow.Domain.Patients;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Identity;

namespace HealthFlow.Auth.Api.Users;

/// <summary>Checks a username and password against the users table.</summary>
public sealed class CredentialVerifier
{
    private readonly UserStore _users;
    private readonly IPasswordHasher<UserRecord> _hasher;
    private readonly ILogger<CredentialVerifier> _logger;
    private readonly UserRecord _nobody;

    public CredentialVerifier(UserStore users, IPasswordHasher<UserRecord> hasher, ILogger<CredentialVerifier> logger)
    {
        _users = users;
        _hasher = hasher;
        _logger = logger;
        // A real hash of a random password: verifying against it costs what a real verification costs, so
        // an unknown username answers no faster than a wrong password and usernames cannot be probed by timing.
        _nobody = new UserRecord("", "", HealthFlowRoles.Patient, null, "", DateTimeOffset.UnixEpoch);
        _nobody = _nobody with { PasswordHash = hasher.HashPassword(_nobody, Convert.ToBase64String(Guid.NewGuid().ToByteArray())) };
    }

    /// <summary>The user when the password matches; null for an unknown user or a wrong password alike.</summary>
    public async Task<UserRecord?> VerifyAsync(string username, string password, CancellationToken cancellationToken)
    {
        // A name no account can have is not looked up (DynamoDB rejects keys over 2 KB with an error), but it
        // still pays for a hash below, so it answers like any unknown user.
        var user = RegistrationValidator.IsWellFormedUsername(username)
            ? await _users.FindAsync(RegistrationValidator.NormalizeUsername(username), cancellationToken)
            : null;
        var result = _hasher.VerifyHashedPassword(user ?? _nobody, (user ?? _nobody).PasswordHash, password);
        if (user is null || result == PasswordVerificationResult.Failed)
        {
            return null;
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            var upgraded = _hasher.HashPassword(user, password);
            if (await _users.ReplacePasswordHashAsync(user.Username, user.PasswordHash, upgraded, cancellationToken))
            {
                _logger.LogInformation("Upgraded the password hash of {Username}.", user.Username);
            }
        }

        return user;
    }

}
