using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.SQS;
using HealthFlow.Cli.Api;
using HealthFlow.Cli.Bench;
using HealthFlow.Domain.Alerts;
using HealthFlow.EventStore;

namespace HealthFlow.Cli.Chaos;

/// <summary>
/// `healthflow chaos`: a Jepsen-style run against the running system: a recorded workload, a nemesis injecting faults,
/// and a checker of the system's promises over the history and the stores. Exits 1 when any invariant is violated.
/// </summary>
internal static class ChaosCommand
{
    public static Command Create()
    {
        var gateway = BenchCommand.GatewayOption();
        var awsEndpoint = new Option<Uri>("--aws-endpoint")
        {
            Description = "The system's LocalAws: its fault endpoint, its queues and stores, and how its processes are told apart from another system's.",
            DefaultValueFactory = _ => new Uri("http://localhost:4566"),
            CustomParser = r => r.Tokens is [var t] && Uri.TryCreate(t.Value, UriKind.Absolute, out var uri) && uri.IsLoopback
                ? uri
                : Error<Uri>(r, "--aws-endpoint must be an absolute URL on this machine (the nemesis kills local processes)."),
        };
        var duration = new Option<TimeSpan>("--duration")
        {
            Description = "How long the workload runs: 90s, 10m, 1h, or seconds.",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(60),
            CustomParser = r => ParseDuration(r, "--duration"),
        };
        var rate = new Option<double>("--rate") { Description = "Check-ins per second.", DefaultValueFactory = _ => 10 };
        var seed = new Option<int>("--seed") { Description = "Seeds every choice of the workload and the nemesis.", DefaultValueFactory = _ => 1 };
        var patients = new Option<int>("--patients") { Description = "Patients of the run (each registers and logs in).", DefaultValueFactory = _ => 12 };
        var faults = new Option<string>("--faults")
        {
            Description = $"The faults the nemesis injects, comma-separated: {string.Join(", ", FaultKinds.All)}; `none` for none.",
            DefaultValueFactory = _ => string.Join(',', FaultKinds.All),
        };
        var faultInterval = new Option<TimeSpan>("--fault-interval")
        {
            Description = "Mean time between faults (each lasts 2-8 s, or until a killed replica is replaced).",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(10),
            CustomParser = r => ParseDuration(r, "--fault-interval"),
        };
        var escalationHigh = new Option<TimeSpan?>("--escalation-high")
        {
            Description = "The system's Escalation:HighAfter, when shortened: then an open high alert past it must have escalated.",
            CustomParser = r => ParseDuration(r, "--escalation-high"),
        };
        var escalationMedium = new Option<TimeSpan?>("--escalation-medium")
        {
            Description = "The system's Escalation:MediumAfter, with --escalation-high.",
            CustomParser = r => ParseDuration(r, "--escalation-medium"),
        };
        var minimumKills = new Option<int>("--min-kills")
        {
            Description = "Run past --duration until this many replicas were killed and replaced (at most 3 × the duration).",
            DefaultValueFactory = _ => 0,
        };
        minimumKills.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError("--min-kills must not be negative."); });
        var output = new Option<string>("--output") { Description = "Directory for chaos-report.md and chaos-report.json.", DefaultValueFactory = _ => "." };
        rate.Validators.Add(r => { if (r.GetValueOrDefault<double>() is <= 0 or > 10_000) r.AddError("--rate must be above 0 and at most 10000."); });
        patients.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 1_000) r.AddError("--patients must be 1 to 1000."); });
        faults.Validators.Add(r =>
        {
            var unknown = ParseFaults(r.GetValueOrDefault<string>()).Except(FaultKinds.All).ToList();
            if (unknown.Count > 0)
            {
                r.AddError($"--faults: unknown {string.Join(", ", unknown)}; known: {string.Join(", ", FaultKinds.All)}, or none.");
            }
        });

        var command = new Command("chaos", "Run a recorded workload against the running system while injecting faults, then check its invariants from the stores.")
        {
            gateway, awsEndpoint, duration, rate, seed, patients, faults, faultInterval, minimumKills, escalationHigh, escalationMedium, output,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var high = parse.GetValue(escalationHigh);
            var medium = parse.GetValue(escalationMedium);
            return RunAsync(
                new ChaosSettings(
                    parse.GetRequiredValue(gateway),
                    parse.GetRequiredValue(awsEndpoint),
                    parse.GetValue(duration),
                    parse.GetValue(rate),
                    parse.GetValue(seed),
                    parse.GetValue(patients),
                    ParseFaults(parse.GetValue(faults)),
                    parse.GetValue(faultInterval),
                    high is null && medium is null ? null : new EscalationPolicy { HighAfter = high, MediumAfter = medium },
                    parse.GetRequiredValue(output)) { MinimumKills = parse.GetValue(minimumKills) },
                cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(ChaosSettings settings, CancellationToken cancellationToken)
    {
        await using var host = CliHost.Create(settings.AwsEndpoint);
        using var activity = CliHost.ActivitySource.StartActivity("chaos");
        var runner = new ChaosRunner(settings, host.Get<IEventStore>(), host.Get<IAmazonDynamoDB>(), host.Get<IAmazonSQS>(),
            line => Console.Error.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} {line}"));
        ChaosReport report;
        try
        {
            report = await runner.RunAsync("healthflow " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), cancellationToken);
        }
        catch (Exception ex) when (ex is ApiException or HttpRequestException or IOException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            // The run could not be made (the system not up, or not answering while the clients signed in): no verdict.
            Console.Error.WriteLine($"Chaos failed before a verdict: {ex.GetType().Name}: {ex.Message}");
            return 2;
        }

        var (markdown, json) = await report.WriteAsync(settings.OutputDirectory, cancellationToken);
        Console.WriteLine(report.Summary());
        Console.Error.WriteLine($"Wrote {markdown} and {json}.");
        return report.Passed ? 0 : 1;
    }

    private static IReadOnlyList<string> ParseFaults(string? value) =>
        value is null or "none" ? [] : [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct()];

    /// <summary>90s, 10m, 1h, or a number of seconds.</summary>
    private static TimeSpan ParseDuration(ArgumentResult result, string name)
    {
        if (result.Tokens is [var token] && token.Value.Length > 0)
        {
            var text = token.Value;
            var (number, unit) = char.IsLetter(text[^1]) ? (text[..^1], text[^1]) : (text, 's');
            if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0)
            {
                switch (unit)
                {
                    case 's': return TimeSpan.FromSeconds(value);
                    case 'm': return TimeSpan.FromMinutes(value);
                    case 'h': return TimeSpan.FromHours(value);
                }
            }
        }

        result.AddError($"{name} must be a positive duration: 90s, 10m, 1h, or seconds.");
        return default;
    }

    private static T Error<T>(ArgumentResult result, string message)
    {
        result.AddError(message);
        return default!;
    }
}
