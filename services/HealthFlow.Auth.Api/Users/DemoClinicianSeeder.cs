using HealthFlow.Aws.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace HealthFlow.Auth.Api.Users;

/// <summary>
/// Seeds the demo clinician clinician1 / demo when Auth:SeedDemoClinician is on (the local demo only).
/// Clinicians cannot self-register; elsewhere they are created by an operator command.
/// The put is conditional, so restarts and several instances seed once and never reset a changed password.
/// </summary>
public sealed class DemoClinicianSeeder(
    UserStore users,
    IPasswordHasher<UserRecord> passwordHasher,
    IOptions<AuthOptions> options,
    TimeProvider timeProvider,
    ILogger<DemoClinicianSeeder> logger) : BackgroundService
{
    public const string Username = "clinician1";
    public const string Password = "demo";
    public const string DisplayName = "Demo Clinician";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SeedDemoClinician)
        {
            return;
        }

        var clinician = new UserRecord(Username, string.Empty, HealthFlowRoles.Clinician, null, DisplayName, timeProvider.GetUtcNow());
        clinician = clinician with { PasswordHash = passwordHasher.HashPassword(clinician, Password) };

        // The users table may still be being provisioned when auth-api starts: retry until it answers.
        for (var delay = TimeSpan.FromMilliseconds(200); !stoppingToken.IsCancellationRequested; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks)))
        {
            try
            {
                var created = await users.TryCreateAsync(clinician, stoppingToken);
                logger.LogInformation(created ? "Seeded the demo clinician {Username}." : "The demo clinician {Username} exists already.", Username);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Seeding the demo clinician failed; retrying in {Delay}.", delay);
                await Task.Delay(delay, timeProvider, stoppingToken);
            }
        }
    }
}
