using System.CommandLine;
using HealthFlow.Domain.Patients;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Identity;

namespace HealthFlow.Cli.Admins;

/// <summary>
/// `healthflow admin`: creates an admin account directly in the users table. It is how a deployment gets its
/// first admin (locally admin1 is seeded); every later account, clinicians included, an admin creates over the API.
/// The password is read from standard input, never from the command line, where shells and `ps` would show it.
/// </summary>
internal static class AdminCommand
{
    public static Command Create()
    {
        var endpoint = CliHost.AwsEndpointOption();
        var username = new Option<string>("--username") { Description = "The admin's username.", Required = true };
        var displayName = new Option<string>("--display-name") { Description = "The name shown in the apps.", DefaultValueFactory = _ => "Administrator" };
        var command = new Command("admin", "Create an admin account (the password is read from standard input).")
        {
            endpoint,
            username,
            displayName,
        };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(endpoint), parse.GetRequiredValue(username), parse.GetRequiredValue(displayName), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Uri? awsEndpoint, string username, string displayName, CancellationToken cancellationToken)
    {
        var password = (await Console.In.ReadLineAsync(cancellationToken))?.TrimEnd('\r', '\n');
        var validation = RegistrationValidator.Validate(username, password, displayName);
        if (!validation.IsValid)
        {
            foreach (var (field, messages) in validation.Errors)
            {
                Console.Error.WriteLine($"{field}: {string.Join(" ", messages)}");
            }

            return 1;
        }

        var registration = validation.Registration;
        await using var host = CliHost.Create(awsEndpoint);
        var admin = new UserRecord(registration.Username, string.Empty, HealthFlowRoles.Admin, null, registration.DisplayName, DateTimeOffset.UtcNow);
        admin = admin with { PasswordHash = new PasswordHasher<UserRecord>().HashPassword(admin, registration.Password) };
        if (!await host.Get<UserStore>().TryCreateAsync(admin, cancellationToken))
        {
            Console.Error.WriteLine($"The username {registration.Username} is taken.");
            return 1;
        }

        Console.WriteLine($"Created the admin {registration.Username}.");
        return 0;
    }
}
