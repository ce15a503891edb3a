using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Amazon.SQS;
using HealthFlow.Cli.Api;
using HealthFlow.Cli.Bench;
using HealthFlow.Domain.Events;
using HealthFlow.Topology;
using Microsoft.Extensions.DependencyInjection;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// The alert worker crashes (SIGKILL) in the middle of a stream of check-ins and is started again.
/// Runs in the shared AppHost collection (tests there run one at a time) and leaves the worker
/// healthy: a second AppHost would double the load on this machine and collide on the web apps' ports.
/// The same scenario runs against a planted worker that appends AlertRaised again on a redelivery, to show the
/// ledger catches what the crash costs such a worker.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class AlertWorkerCrashTests(AppHostFixture system) : IDisposable
{
    private const int Patients = 10;
    private const int CheckInsPerPatient = 50;
    private static readonly TimeSpan ShortVisibilityTimeout = TimeSpan.FromSeconds(5);

    private readonly HealthFlowApiClient _api = new(system.GatewayUrl, maxConnections: 64);
    private readonly ResourceControl _resources = new(system.App);
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);
    private readonly SystemEventStore _store = new(system.AwsEndpointUrl);

    [Fact]
    public async Task Every_alarming_check_in_yields_exactly_one_alert_although_the_alert_worker_was_killed_mid_stream()
    {
        var run = await CheckInsWithAWorkerKilledMidStreamAsync(new AppHostAlertWorker(_resources));

        Assert.NotEmpty(run.Accepted);
        Assert.True(run.Violations.Count == 0, $"{run.Violations.Count} exactly-once violations:\n{string.Join("\n", run.Violations)}");
    }

    /// <summary>
    /// The negative control: the same scenario with a worker that, on a conflict, appends AlertRaised again. Its kill
    /// lands between an append and the message's deletion, so that message comes back; the read model still shows one
    /// alert per check-in, and the ledger reports the second AlertRaised.
    /// </summary>
    [Fact]
    public async Task A_worker_that_appends_AlertRaised_again_is_caught_by_the_ledger_after_it_was_killed_mid_stream()
    {
        CrashRun run;
        IReadOnlyList<Guid> held;
        await using (var planted = await PlantedAlertWorkers.StartAsync(_resources, system.AwsEndpointUrl, _quiescence))
        {
            run = await CheckInsWithAWorkerKilledMidStreamAsync(planted);
            held = planted.HeldAtCrash;
        }

        var heldCheckIn = Assert.Single(held);
        Assert.Contains(run.Violations, v => Regex.IsMatch(v, $@"^alarming check-in {heldCheckIn} has [2-9] AlertRaised"));
        AssertNonEmpty.All(run.Violations, v => Assert.Matches(@"^alarming check-in \S+ has [2-9] AlertRaised", v));
    }

    private sealed record CrashRun(IReadOnlyCollection<Guid> Accepted, IReadOnlyList<string> Violations);

    /// <summary>
    /// 500 check-ins of ten patients, the worker killed at 30 % and started again at 60 %; then the read models are
    /// checked (one alert per alarming check-in, every observation) and the ledger's violations returned.
    /// </summary>
    private async Task<CrashRun> CheckInsWithAWorkerKilledMidStreamAsync(IAlertWorkerUnderTest worker)
    {
        // What the kill holds comes back after the queue's visibility timeout: 5 s for this run instead of the topology's
        // 30 s. A live worker extends what it holds, so only the killed worker's messages come back early.
        var sqs = _store.Services.GetRequiredService<IAmazonSQS>();
        var queueUrl = (await sqs.GetQueueUrlAsync(HealthFlowTopology.Queues.AlertEvaluation.Name)).QueueUrl;
        await SetVisibilityTimeoutAsync(sqs, queueUrl, ShortVisibilityTimeout);
        try
        {
            return await CheckInsWithAWorkerKilledAsync(worker);
        }
        finally
        {
            await SetVisibilityTimeoutAsync(sqs, queueUrl, HealthFlowTopology.Queues.AlertEvaluation.VisibilityTimeout);
        }
    }

    private static Task SetVisibilityTimeoutAsync(IAmazonSQS sqs, string queueUrl, TimeSpan timeout) =>
        sqs.SetQueueAttributesAsync(queueUrl, new Dictionary<string, string> { ["VisibilityTimeout"] = ((int)timeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) });

    private async Task<CrashRun> CheckInsWithAWorkerKilledAsync(IAlertWorkerUnderTest worker)
    {
        var patients = await FaultPatients.RegisterAsync(_api, "crash", Patients);
        var clinician = await FaultPatients.ClinicianAsync(_api);
        var mix = new CheckInMix(alarmingShare: 0.2);
        var submitted = new ConcurrentDictionary<Guid, (Guid PatientId, bool Alarming)>();
        var answers = new ConcurrentBag<HttpStatusCode?>();
        var accepted = 0;
        var killedAt = Patients * CheckInsPerPatient * 3 / 10;
        var restartedAt = Patients * CheckInsPerPatient * 6 / 10;
        // The kill is published before it is started, so the client that reaches the restart mark
        // always has it to wait for, however long the kill's synchronous part takes.
        var killStarted = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task? restart = null;

        try
        {
            await Parallel.ForEachAsync(patients, new ParallelOptions { MaxDegreeOfParallelism = Patients }, async (patient, ct) =>
            {
                for (var n = 0; n < CheckInsPerPatient; n++)
                {
                    var (checkIn, alarming) = mix.Next();
                    var outcome = await _api.CheckInAsync(patient.AccessToken, checkIn, $"crash-{patient.PatientId}-{n}", ct);
                    answers.Add(outcome.Status);
                    if (!outcome.Accepted)
                    {
                        continue;
                    }

                    submitted[outcome.ObservationId!.Value] = (patient.PatientId!.Value, alarming);
                    // Exactly one client reaches each mark and trips the fault; the others keep checking in meanwhile.
                    var count = Interlocked.Increment(ref accepted);
                    if (count == killedAt)
                    {
                        killStarted.SetResult(worker.KillAsync());
                    }
                    else if (count == restartedAt)
                    {
                        restart = RestartAfterAsync(worker, killStarted.Task);
                    }
                }
            });
        }
        finally
        {
            // Whatever happened, leave the worker running for the tests that follow.
            if (killStarted.Task.IsCompleted)
            {
                await (restart ?? RestartAfterAsync(worker, killStarted.Task));
            }
        }

        AssertNonEmpty.All(answers, status => Assert.Equal(HttpStatusCode.Accepted, status));
        Assert.Equal(Patients * CheckInsPerPatient, submitted.Count);
        var alarmingIds = submitted.Where(s => s.Value.Alarming).Select(s => s.Key).ToHashSet();
        Assert.Equal(Patients * CheckInsPerPatient / 5, alarmingIds.Count);

        // Messages the killed worker held come back after the queue's visibility timeout (shortened above).
        await Eventually.UntilAsync(
            async () => (await AllAlertsAsync(patients, clinician)).Select(a => a.ObservationId).Distinct().Count() == alarmingIds.Count,
            "an alert for every alarming check-in",
            TimeSpan.FromMinutes(2));
        await _quiescence.WaitAsync(worker, TimeSpan.FromMinutes(1));

        var alerts = await AllAlertsAsync(patients, clinician);
        Assert.Equal(alarmingIds.Order(), alerts.Select(a => a.ObservationId!.Value).Order());
        foreach (var patient in patients)
        {
            var observations = await _api.ListObservationsAsync(patient.AccessToken, patient.PatientId!.Value, 100, CancellationToken.None);
            Assert.Equal(
                submitted.Where(s => s.Value.PatientId == patient.PatientId).Select(s => s.Key).Order(),
                observations.Select(o => o.ObservationId).Order());
        }

        // Exactly once where a duplicate would show: the store (a second AlertRaised collapses into one read-model row).
        return new CrashRun([.. submitted.Keys], (await _store.LedgerAsync()).Violations(submitted.Keys, alarmingIds));
    }

    private static async Task RestartAfterAsync(IAlertWorkerUnderTest worker, Task<Task> killStarted)
    {
        await await killStarted;
        await worker.StartAsync();
    }

    private async Task<List<AlertSummary>> AllAlertsAsync(IEnumerable<LoginResult> patients, LoginResult clinician)
    {
        var alerts = new List<AlertSummary>();
        foreach (var patient in patients)
        {
            alerts.AddRange(await FaultPatients.AlertsOfAsync(_api, clinician.AccessToken, patient.PatientId!.Value));
        }

        return alerts;
    }

    public void Dispose()
    {
        _api.Dispose();
        _quiescence.Dispose();
        _store.Dispose();
    }
}
