using System.Diagnostics;
using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.SQS;
using HealthFlow.Cli.Api;
using HealthFlow.Domain.Alerts;
using HealthFlow.EventStore;

namespace HealthFlow.Cli.Chaos;

/// <summary>What `healthflow chaos` runs: the workload, the nemesis and the checker's knowledge of the system's policy.</summary>
/// <param name="Escalation">The escalation policy the system runs with, when known: then an open alert past its deadline
/// must have escalated. Null: only "at most once" and "never after an acknowledgement" are checked.</param>
public sealed record ChaosSettings(
    Uri Gateway,
    Uri AwsEndpoint,
    TimeSpan Duration,
    double Rate,
    int Seed,
    int Patients,
    IReadOnlyList<string> Faults,
    TimeSpan FaultInterval,
    EscalationPolicy? Escalation,
    string OutputDirectory,
    string Clinician = "clinician1",
    string ClinicianPassword = "demo",
    string Admin = "admin1",
    string AdminPassword = "demo",
    int ClinicianClients = 2,
    int Streams = 2)
{
    public TimeSpan ReplacementTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The workload runs past <see cref="Duration"/> until this many replicas were killed and replaced (at most 3 × the duration).</summary>
    public int MinimumKills { get; init; }

    public TimeSpan QuiescenceTimeout { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// One chaos run: prepare the clients, run the workload with the nemesis beside it, heal every fault, wait until
/// the system is quiescent, read the stores once, and check every invariant against the history.
/// </summary>
public sealed class ChaosRunner(ChaosSettings settings, IEventStore store, IAmazonDynamoDB dynamo, IAmazonSQS sqs, Action<string> say)
{
    private readonly string _runId = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString("x", CultureInfo.InvariantCulture);

    public async Task<ChaosReport> RunAsync(string commandLine, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var history = new ChaosHistory();
        using var api = new HealthFlowApiClient(settings.Gateway, maxConnections: 320);
        using var impatient = new HealthFlowApiClient(settings.Gateway, maxConnections: 64, timeout: TimeSpan.FromMilliseconds(40));
        var workload = new ChaosWorkload(settings, api, impatient, history, _runId);
        say($"Chaos {_runId} (seed {settings.Seed}): registering {settings.Patients} patients through {settings.Gateway}");
        await workload.PrepareAsync(cancellationToken);

        var nemesis = new ChaosNemesis(settings, sqs, history, say);
        using var streamsStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var nemesisStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        say($"Workload: {settings.Rate:0.#} check-ins/s for {settings.Duration.TotalSeconds:0} s; faults: {(settings.Faults.Count == 0 ? "none" : string.Join(", ", settings.Faults))}");
        var faulting = nemesis.RunAsync(nemesisStop.Token);
        using var workloadStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var working = workload.RunAsync(workloadStop.Token, streamsStop.Token);
        try
        {
            var clock = Stopwatch.StartNew();
            while (!working.IsCompleted
                && (clock.Elapsed < settings.Duration || (nemesis.Kills < settings.MinimumKills && clock.Elapsed < 3 * settings.Duration)))
            {
                await Task.WhenAny(working, Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken));
            }

            await workloadStop.CancelAsync();
            await working;
        }
        finally
        {
            await nemesisStop.CancelAsync();
            await faulting;
            await nemesis.HealAsync();
        }

        say("Healed; waiting for the system to be quiescent");
        using (var quiescence = new SystemQuiescence(settings.AwsEndpoint))
        {
            await quiescence.WaitAsync(settings.QuiescenceTimeout);
            if (settings.Escalation is not null)
            {
                await quiescence.WaitForEscalationDeadlinesAsync(settings.QuiescenceTimeout);
            }
        }

        // The streams poll the feed: once quiescent, the last changes reach them within moments. They are closed once
        // nothing new arrived for a while, so the checker judges what they converged to, not a snapshot mid-delivery.
        var quiet = Stopwatch.StartNew();
        for (var (seen, since) = (history.Deliveries.Count, Stopwatch.StartNew()); since.Elapsed < TimeSpan.FromSeconds(3) && quiet.Elapsed < TimeSpan.FromSeconds(30);)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            if (history.Deliveries.Count != seen)
            {
                (seen, since) = (history.Deliveries.Count, Stopwatch.StartNew());
            }
        }

        await streamsStop.CancelAsync();
        await workload.StreamsEnded;
        await WaitForDeadOwnersLeasesAsync(cancellationToken);

        say("Reading the stores");
        var snapshot = await StoreSnapshot.ReadAsync(store, dynamo, sqs, TimeProvider.System, cancellationToken);
        var invariants = ChaosChecker.Default(new AlertRulesOptions(), settings.Escalation).Check(history, snapshot);
        return new ChaosReport(
            history,
            _runId,
            settings.Seed,
            startedAt,
            DateTimeOffset.UtcNow,
            commandLine,
            $"{Environment.MachineName}, {Environment.ProcessorCount} cores",
            WorkloadCounts.Of(history, workload.StreamReconnects),
            history.Faults,
            invariants);
    }

    /// <summary>
    /// A killed process's leases run out by themselves, after which a live instance takes them: that is recovery, not a
    /// violation, so the snapshot waits for it (a bounded time: a lease longer than the wait is reported).
    /// </summary>
    private async Task WaitForDeadOwnersLeasesAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            var snapshot = await StoreSnapshot.ReadLeasesAsync(dynamo, cancellationToken);
            var now = DateTimeOffset.UtcNow;
            if (!snapshot.Any(l => l.OwnerRunning == false && l.LeaseUntil > now))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }
}
