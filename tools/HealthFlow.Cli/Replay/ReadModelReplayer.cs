using System.Diagnostics;
using System.Threading.Channels;
using Amazon.DynamoDBv2;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime.Credentials;
using HealthFlow.Domain;
using HealthFlow.EventStore;
using HealthFlow.ReadModels;
using HealthFlow.ReadModels.Projections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HealthFlow.Cli.Replay;

public sealed record ReplaySettings
{
    /// <summary>Streams applied at once; each stream is applied in version order by one worker.</summary>
    public int Parallelism { get; init; } = 32;

    /// <summary>BatchWriteItem requests in flight at once (written-behind read models).</summary>
    public int ConcurrentBatches { get; init; } = 8;

    /// <summary>Parallel Scan segments used to empty the table.</summary>
    public int WipeSegments { get; init; } = 4;
}

/// <summary>Live counters of one replay, for a progress line.</summary>
public sealed class ReplayProgress
{
    private long _eventsRead;
    private long _eventsApplied;

    public required string ReadModel { get; init; }

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public string Phase { get; internal set; } = "wiping";

    public long ItemsDeleted { get; internal set; }

    public long EventsRead => Interlocked.Read(ref _eventsRead);

    public long EventsApplied => Interlocked.Read(ref _eventsApplied);

    internal void Read() => Interlocked.Increment(ref _eventsRead);

    internal void Applied() => Interlocked.Increment(ref _eventsApplied);
}

public sealed record ReplayResult(
    string ReadModel,
    long ItemsDeleted,
    long EventsRead,
    long EventsProjected,
    long ItemsWritten,
    TimeSpan WipeElapsed,
    TimeSpan ReplayElapsed)
{
    /// <summary>Events read from the store per second of rebuilding (the wipe excluded).</summary>
    public double EventsPerSecond => EventsRead / Math.Max(ReplayElapsed.TotalSeconds, 1e-9);

    public double ProjectedPerSecond => EventsProjected / Math.Max(ReplayElapsed.TotalSeconds, 1e-9);
}

/// <summary>
/// Rebuilds a read model from zero: empties its table, reads every stream of the event store and applies
/// the read model's own projection (the code the projections worker runs) to each event. Streams are
/// applied in parallel, each by one worker in version order.
/// </summary>
public sealed class ReadModelReplayer(
    IAmazonDynamoDB dynamo,
    IEventStore eventStore,
    IServiceProvider services,
    ILoggerFactory loggerFactory)
{
    public async Task<ReplayResult> ReplayAsync(
        ReadModelTable readModel, ReplaySettings settings, ReplayProgress progress, CancellationToken cancellationToken)
    {
        var deleted = await TableWiper.DeleteAllAsync(dynamo, readModel, settings.WipeSegments, cancellationToken);
        progress.ItemsDeleted = deleted;
        var wipeElapsed = progress.Clock.Elapsed;
        progress.Phase = "replaying";

        using var writeBehind = readModel.WrittenOncePerEvent ? CreateWriteBehindClient(readModel, settings, cancellationToken) : null;
        await using var projections = CreateProjectionServices(writeBehind ?? dynamo);
        var projection = projections.GetServices<IReadModelProjection>().Single(p => p.Name == readModel.ReadModel);

        var replayStarted = progress.Clock.Elapsed;
        var projected = await ApplyAllAsync(projection, settings.Parallelism, progress, cancellationToken);
        if (writeBehind is not null)
        {
            progress.Phase = "flushing";
            await writeBehind.FlushAsync(cancellationToken);
        }

        progress.Phase = "done";
        return new ReplayResult(
            readModel.ReadModel,
            deleted,
            progress.EventsRead,
            projected,
            writeBehind?.ItemsWritten ?? progress.EventsApplied,
            wipeElapsed,
            progress.Clock.Elapsed - replayStarted);
    }

    private async Task<long> ApplyAllAsync(IReadModelProjection projection, int parallelism, ReplayProgress progress, CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var firstFailure = new FirstFailure(failed);
        var lanes = Enumerable.Range(0, parallelism)
            .Select(_ => Channel.CreateBounded<EventEnvelope>(new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true }))
            .ToArray();
        var workers = lanes.Select(lane => Task.Run(() => ApplyLaneAsync(projection, lane.Reader, progress, firstFailure), CancellationToken.None)).ToArray();

        long projected = 0;
        try
        {
            await foreach (var envelope in eventStore.ReadAllAsync(failed.Token))
            {
                progress.Read();
                if (!projection.EventTypes.Contains(envelope.Type))
                {
                    continue;
                }

                projected++;
                // One stream always goes to the same lane, whose single worker keeps its version order.
                var lane = lanes[(int)((uint)StringComparer.Ordinal.GetHashCode(envelope.StreamId) % (uint)lanes.Length)];
                await lane.Writer.WriteAsync(envelope, failed.Token);
            }
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // A worker failed; its exception is rethrown below.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await firstFailure.RecordAsync(ex);
        }
        finally
        {
            foreach (var lane in lanes)
            {
                lane.Writer.TryComplete();
            }
        }

        await Task.WhenAll(workers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
        firstFailure.ThrowIfAny();
        return projected;
    }

    private static async Task ApplyLaneAsync(
        IReadModelProjection projection, ChannelReader<EventEnvelope> lane, ReplayProgress progress, FirstFailure failure)
    {
        try
        {
            await foreach (var envelope in lane.ReadAllAsync(failure.Token))
            {
                if (await projection.ApplyAsync(envelope, failure.Token) == ProjectionOutcome.Applied)
                {
                    progress.Applied();
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !failure.Token.IsCancellationRequested)
        {
            await failure.RecordAsync(ex);
        }
    }

    /// <summary>Keeps the error that stopped the replay, not the cancellations it caused in the other lanes.</summary>
    private sealed class FirstFailure(CancellationTokenSource stop)
    {
        private Exception? _first;

        public CancellationToken Token => stop.Token;

        public async Task RecordAsync(Exception exception)
        {
            if (Interlocked.CompareExchange(ref _first, exception, null) is null)
            {
                await stop.CancelAsync();
            }
        }

        public void ThrowIfAny()
        {
            if (_first is { } first)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
            }
        }
    }

    private WriteBehindDynamoClient CreateWriteBehindClient(ReadModelTable readModel, ReplaySettings settings, CancellationToken cancellationToken)
    {
        // Same endpoint, region and identity as the registered client.
        var config = (AmazonDynamoDBConfig)dynamo.Config;
        var credentials = services.GetService<AWSOptions>()?.Credentials
            ?? DefaultAWSCredentialsIdentityResolver.GetCredentials(config);
        return new WriteBehindDynamoClient(credentials, config, readModel, settings.ConcurrentBatches, cancellationToken);
    }

    // The read models and projections exactly as the projections worker registers them, over the given client.
    private ServiceProvider CreateProjectionServices(IAmazonDynamoDB client)
    {
        var collection = new ServiceCollection();
        collection.AddSingleton(loggerFactory);
        collection.AddLogging();
        collection.AddSingleton(client);
        collection.AddSingleton(eventStore);
        // The alert projection's fallbacks read streams (IEventStreamReader); here, the operator's event store.
        collection.AddSingleton<IEventStreamReader>(eventStore);
        collection.AddSingleton(services.GetService<TimeProvider>() ?? TimeProvider.System);
        // Whether new patients join Demo ward, as configured for the projections worker (CareTeams:NewPatientsJoinDemoWard).
        var careTeams = new HealthFlow.ReadModels.Projections.CareTeamProjectionOptions();
        services.GetService<Microsoft.Extensions.Configuration.IConfiguration>()
            ?.GetSection(HealthFlow.ReadModels.Projections.CareTeamProjectionOptions.SectionName)
            .Bind(careTeams);
        collection.AddSingleton(Microsoft.Extensions.Options.Options.Create(careTeams));
        collection.AddHealthFlowProjections();
        return collection.BuildServiceProvider();
    }
}
