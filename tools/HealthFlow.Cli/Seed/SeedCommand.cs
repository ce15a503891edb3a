using System.CommandLine;
using HealthFlow.Cli.Api;
using HealthFlow.Cli.Bench;

namespace HealthFlow.Cli.Seed;

/// <summary>`healthflow seed`: demo patients with a few days of check-ins, some alarming, through the public API.</summary>
internal static class SeedCommand
{
    private const string DemoPassword = "demo-patient";

    private static readonly (string Username, string DisplayName)[] DemoPatients =
    [
        ("ada", "Ada Lovelace"),
        ("grace", "Grace Hopper"),
        ("alan", "Alan Turing"),
        ("katherine", "Katherine Johnson"),
        ("edsger", "Edsger Dijkstra"),
        ("barbara", "Barbara Liskov"),
        ("donald", "Donald Knuth"),
        ("margaret", "Margaret Hamilton"),
    ];

    public static Command Create()
    {
        var gateway = BenchCommand.GatewayOption();
        var patients = new Option<int>("--patients") { Description = $"Demo patients (at most {DemoPatients.Length}).", DefaultValueFactory = _ => 5 };
        patients.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 || r.GetValueOrDefault<int>() > DemoPatients.Length) r.AddError($"--patients must be 1 to {DemoPatients.Length}."); });
        var checkIns = new Option<int>("--check-ins") { Description = "Check-ins per patient.", DefaultValueFactory = _ => 6 };
        checkIns.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 0 or > 1000) r.AddError("--check-ins must be 0 to 1000."); });
        var command = new Command("seed", $"Create demo patients (password '{DemoPassword}') and check-ins through the public API; some check-ins raise alerts.")
        {
            gateway,
            patients,
            checkIns,
        };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetRequiredValue(gateway), parse.GetValue(patients), parse.GetValue(checkIns), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Uri gateway, int patients, int checkInsEach, CancellationToken cancellationToken)
    {
        using var api = new HealthFlowApiClient(gateway);
        int accepted = 0, alarming = 0;
        try
        {
            for (var p = 0; p < patients; p++)
            {
                var (username, displayName) = DemoPatients[p];
                var registered = await api.RegisterAsync(username, DemoPassword, displayName, cancellationToken);
                var session = await api.LoginAsync(username, DemoPassword, cancellationToken);
                for (var n = 0; n < checkInsEach; n++)
                {
                    // Every third check-in of every other patient alarms, so the clinician app has something to show.
                    var alarm = n % 3 == 2 && p % 2 == 0;
                    var checkIn = alarm ? CheckInMix.AlarmingCheckIn(n) : CheckInMix.NormalCheckIn(n);
                    // A stable key per (patient, n): running seed twice appends nothing the second time.
                    var outcome = await api.CheckInAsync(session.AccessToken, checkIn, $"seed-{username}-{n}", cancellationToken);
                    if (!outcome.Accepted)
                    {
                        throw new ApiException($"Check-in {n} of {username} was refused: {(int?)outcome.Status} {outcome.Error}");
                    }

                    accepted++;
                    alarming += alarm ? 1 : 0;
                }

                Console.WriteLine($"  {displayName} ({username}){(registered is null ? " existed already" : " registered")}, patient {session.PatientId}");
            }
        }
        catch (Exception ex) when (ex is ApiException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"Seeding through {gateway} failed: {ex.Message}");
            return 1;
        }

        Console.WriteLine($"Seeded {patients} patients (password '{DemoPassword}') with {accepted} check-ins, {alarming} alarming, through {gateway}.");
        return 0;
    }
}
