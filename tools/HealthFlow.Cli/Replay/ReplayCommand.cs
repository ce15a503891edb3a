using System.CommandLine;
using System.Globalization;

namespace HealthFlow.Cli.Replay;

/// <summary>`healthflow replay &lt;read-model&gt;`: rebuilds patients, observations, alerts (or all) from the event store.</summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var readModel = new Argument<string>("read-model")
        {
            Description = "The read model to rebuild: patients, observations, alerts, or all (in that order).",
        };
        readModel.AcceptOnlyFromAmong([.. ReadModelTables.Names]);
        var endpoint = CliHost.AwsEndpointOption();
        var parallelism = new Option<int>("--parallelism")
        {
            Description = "Streams applied at once (each stream stays in version order).",
            DefaultValueFactory = _ => new ReplaySettings().Parallelism,
        };
        parallelism.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 1024)
            {
                result.AddError("--parallelism must be between 1 and 1024.");
            }
        });

        var batches = new Option<int>("--concurrent-batches")
        {
            Description = "BatchWriteItem requests in flight at once (raise it on AWS; an emulator saturates early).",
            DefaultValueFactory = _ => new ReplaySettings().ConcurrentBatches,
        };
        batches.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 256)
            {
                result.AddError("--concurrent-batches must be between 1 and 256.");
            }
        });

        var command = new Command("replay", "Empty a read-model table and rebuild it from every stream of the event store.")
        {
            readModel,
            endpoint,
            parallelism,
            batches,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetRequiredValue(readModel),
            parse.GetValue(endpoint),
            new ReplaySettings { Parallelism = parse.GetValue(parallelism), ConcurrentBatches = parse.GetValue(batches) },
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string readModel, Uri? awsEndpoint, ReplaySettings settings, CancellationToken cancellationToken)
    {
        await using var host = CliHost.Create(awsEndpoint);
        var replayer = host.Get<ReadModelReplayer>();
        using var activity = CliHost.ActivitySource.StartActivity("replay " + readModel);

        foreach (var table in ReadModelTables.Resolve(readModel))
        {
            var progress = new ReplayProgress { ReadModel = table.ReadModel };
            ReplayResult result;
            using (ProgressLine.Every(TimeSpan.FromSeconds(1), () => Describe(progress)))
            {
                try
                {
                    result = await replayer.ReplayAsync(table, settings, progress, cancellationToken);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
                    Console.Error.WriteLine($"Replay of {table.ReadModel} failed after {progress.EventsRead:N0} events: "
                        + (CliErrors.Describe(ex) ?? $"{ex.GetType().Name}: {ex.Message}"));
                    return 1;
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.ReadModel}: deleted {result.ItemsDeleted:N0} items in {result.WipeElapsed.TotalSeconds:0.00} s; "
                + $"read {result.EventsRead:N0} events ({result.EventsProjected:N0} for this read model), wrote {result.ItemsWritten:N0} items "
                + $"in {result.ReplayElapsed.TotalSeconds:0.00} s: {result.EventsPerSecond:N0} events/s"));
        }

        return 0;
    }

    private static string Describe(ReplayProgress progress) => string.Create(CultureInfo.InvariantCulture,
        $"  {progress.ReadModel} {progress.Phase} {progress.Clock.Elapsed.TotalSeconds,5:0.0} s: deleted {progress.ItemsDeleted:N0}, "
        + $"read {progress.EventsRead:N0} events, applied {progress.EventsApplied:N0}");
}
