using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace HealthFlow.Auth.Api.Users;

/// <summary>
/// Seeds the demo clinician clinician1 / demo and the demo admin admin1 / demo when Auth:SeedDemoClinician is on
/// (the local demo only). Clinicians cannot self-register; elsewhere an admin creates them (POST /api/auth/clinicians).
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
    public const string AdminUsername = "admin1";
    public const string AdminDisplayName = "Demo Admin";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SeedDemoClinician)
        {
            return;
        }

        await SeedAsync(new UserRecord(Username, string.Empty, HealthFlowRoles.Clinician, null, DisplayName, timeProvider.GetUtcNow()), stoppingToken);
        await SeedAsync(new UserRecord(AdminUsername, string.Empty, HealthFlowRoles.Admin, null, AdminDisplayName, timeProvider.GetUtcNow()), stoppingToken);
    }

    private async Task SeedAsync(UserRecord user, CancellationToken stoppingToken)
    {
        var clinician = user with { PasswordHash = passwordHasher.HashPassword(user, Password) };

        // The users table may still be being provisioned when auth-api starts: retry until it answers.
        for (var delay = TimeSpan.FromMilliseconds(200); !stoppingToken.IsCancellationRequested; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks)))
        {
            try
            {
                var created = await users.TryCreateAsync(clinician, stoppingToken);
                logger.LogInformation(created ? "Seeded the demo {Role} {Username}." : "The demo {Role} {Username} exists already.", clinician.Role, clinician.Username);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Seeding the demo {Role} failed; retrying in {Delay}.", clinician.Role, delay);
                await Task.Delay(delay, timeProvider, stoppingToken);
            }
        }
    }
}
