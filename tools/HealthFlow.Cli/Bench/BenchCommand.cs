using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.SQS;
using HealthFlow.Cli.Api;
using HealthFlow.Cli.Replay;
using HealthFlow.Provisioning;

namespace HealthFlow.Cli.Bench;

/// <summary>`healthflow bench`: the performance figures (README, "Benchmark"), each set against the raw DynamoDB floor.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var gateway = GatewayOption();
        var awsEndpoint = new Option<Uri>("--aws-endpoint")
        {
            Description = "The system's AWS endpoint: the floor and the replay run against it.",
            DefaultValueFactory = _ => new Uri("http://localhost:4566"),
            CustomParser = ParseUri,
        };
        var patients = Positive("--patients", "Simulated patients (each registers and logs in).", 50);
        var rate = new Option<double>("--rate") { Description = "Target check-ins per second in the paced phase.", DefaultValueFactory = _ => 100 };
        var duration = Positive("--duration", "Seconds of the paced phase.", 30);
        var alarming = new Option<double>("--alarming") { Description = "Share of alarming check-ins (score 9 or NEWS2 ≥ 7), 0 to 1.", DefaultValueFactory = _ => 0.2 };
        var concurrency = Positive("--concurrency", "Concurrent clients in the saturation phase, and writers in the floor.", 32);
        var saturation = new Option<int>("--saturation") { Description = "Seconds of the saturation phase (0 skips it).", DefaultValueFactory = _ => 10 };
        var floor = Positive("--floor-duration", "Seconds of the raw PutItem floor.", 10);
        var lagEvery = Positive("--lag-sample-every", "Probe the projection lag of every n-th check-in.", 10);
        var noReplay = new Option<bool>("--no-replay") { Description = "Skip the replay measurement (it rebuilds the observations read model)." };
        var output = new Option<string>("--output") { Description = "Directory for bench-report.md and bench-report.json.", DefaultValueFactory = _ => "." };
        rate.Validators.Add(r => { if (r.GetValueOrDefault<double>() is <= 0 or > 100_000) r.AddError("--rate must be above 0 and at most 100000."); });
        alarming.Validators.Add(r => { if (r.GetValueOrDefault<double>() is < 0 or > 1) r.AddError("--alarming must be between 0 and 1."); });
        saturation.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError("--saturation must not be negative."); });

        var command = new Command("bench", "Drive the running system over HTTP and report ingest, alert latency, projection lag and replay, each against raw PutItem.")
        {
            gateway, awsEndpoint, patients, rate, duration, alarming, concurrency, saturation, floor, lagEvery, noReplay, output,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new BenchSettings(
                parse.GetRequiredValue(gateway),
                parse.GetRequiredValue(awsEndpoint),
                parse.GetValue(patients),
                parse.GetValue(rate),
                TimeSpan.FromSeconds(parse.GetValue(duration)),
                parse.GetValue(alarming),
                parse.GetValue(concurrency),
                TimeSpan.FromSeconds(parse.GetValue(saturation)),
                TimeSpan.FromSeconds(parse.GetValue(floor)),
                parse.GetValue(lagEvery),
                !parse.GetValue(noReplay),
                parse.GetRequiredValue(output)),
            cancellationToken));
        return command;
    }

    /// <summary>`--gateway`, shared with `seed`.</summary>
    public static Option<Uri> GatewayOption() => new("--gateway")
    {
        Description = "The public API (the gateway).",
        DefaultValueFactory = _ => new Uri("http://localhost:8080"),
        CustomParser = ParseUri,
    };

    private static async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        await using var host = CliHost.Create(settings.AwsEndpoint);
        using var activity = CliHost.ActivitySource.StartActivity("bench");
        using var api = new HealthFlowApiClient(settings.Gateway, maxConnections: Math.Max(settings.Concurrency, 256) + 64);
        var runner = new BenchRunner(
            settings,
            api,
            host.Get<IAmazonDynamoDB>(),
            host.Get<IAmazonSQS>(),
            host.Get<TopologyProvisioner>(),
            host.Get<ReadModelReplayer>());

        BenchReport report;
        try
        {
            report = await runner.RunAsync("healthflow " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), cancellationToken);
        }
        catch (Exception ex) when (ex is ApiException or HttpRequestException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"Bench failed: {ex.Message}");
            return 1;
        }

        var (markdown, json) = await report.WriteAsync(settings.OutputDirectory, cancellationToken);
        Console.WriteLine(report.ToMarkdown());
        Console.Error.WriteLine($"Wrote {markdown} and {json}.");
        return 0;
    }

    private static Option<int> Positive(string name, string description, int defaultValue)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be at least 1."));
            }
        });
        return option;
    }

    private static Uri ParseUri(ArgumentResult result)
    {
        if (result.Tokens is [var token] && Uri.TryCreate(token.Value, UriKind.Absolute, out var uri))
        {
            return uri;
        }

        result.AddError("Expected an absolute URL, e.g. http://localhost:8080.");
        return null!;
    }
}
