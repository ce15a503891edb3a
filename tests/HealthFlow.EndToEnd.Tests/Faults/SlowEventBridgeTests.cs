using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using HealthFlow.Cli.Api;
using HealthFlow.Cli.Bench;
using HealthFlow.EventStore;
using Xunit.Abstractions;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// EventBridge turns slow and flaky (LocalAws's injected PutEvents delay and failure rate), and every
/// client gives up on its first request and retries with the same Idempotency-Key: the store still
/// holds one observation per check-in, and each alarming check-in raises exactly one alert. The same scenario runs
/// against a planted worker that appends AlertRaised again on a redelivery, to show the ledger catches what the
/// duplicated deliveries of a slow bus cost such a worker.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class SlowEventBridgeTests(AppHostFixture system, ITestOutputHelper output) : IDisposable
{
    private const int Patients = 20;
    private const int CheckInsPerPatient = 10;

    // Each PutEvents takes longer than the clients wait and than its writer waits for it (PublishTimeout), and one in
    // five fails outright: the writers' own publishes are lost, or go out after the writer gave up on them, so the
    // relay publishes them again and the consumers get most events twice.
    private static readonly object SlowAndFlaky = new
    {
        putEventsDelayMs = (int)(new EventStoreOptions().PublishTimeout + TimeSpan.FromMilliseconds(500)).TotalMilliseconds,
        putEventsFailureRate = 0.2,
    };
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(1);

    private readonly HealthFlowApiClient _setup = new(system.GatewayUrl);
    private readonly HealthFlowApiClient _impatient = new(system.GatewayUrl, maxConnections: 64, timeout: ClientTimeout);
    private readonly HttpClient _localAws = new() { BaseAddress = system.AwsEndpointUrl };
    private readonly SystemEventStore _store = new(system.AwsEndpointUrl);
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);

    [Fact]
    public async Task Two_hundred_check_ins_retried_after_a_timeout_under_a_slow_EventBridge_give_one_observation_and_one_alert_each()
    {
        var violations = await RetriedCheckInsUnderASlowBusAsync(new AppHostAlertWorker(new ResourceControl(system.App)));

        Assert.True(violations.Count == 0, $"{violations.Count} exactly-once violations:\n{string.Join("\n", violations)}");
    }

    /// <summary>
    /// The negative control: the same scenario with a worker that, on a conflict, appends AlertRaised again. The bus
    /// delivers the check-ins it published late a second time; the read model still shows one alert per check-in, and
    /// the ledger reports the second AlertRaised.
    /// </summary>
    [Fact]
    public async Task A_worker_that_appends_AlertRaised_again_is_caught_by_the_ledger_under_a_slow_EventBridge()
    {
        IReadOnlyList<string> violations;
        await using (var planted = await PlantedAlertWorkers.StartAsync(new ResourceControl(system.App), system.AwsEndpointUrl, _quiescence))
        {
            violations = await RetriedCheckInsUnderASlowBusAsync(planted);
        }

        output.WriteLine(string.Join("\n", violations));
        AssertNonEmpty.All(violations, v => Assert.Matches(@"^alarming check-in \S+ has [2-9] AlertRaised", v));
    }

    /// <summary>
    /// 200 check-ins, each retried with its key after the client gave up, while EventBridge is slow and flaky; then
    /// the read models are checked (one observation and one alert per check-in) and the ledger's violations returned.
    /// </summary>
    private async Task<IReadOnlyList<string>> RetriedCheckInsUnderASlowBusAsync(IAlertWorkerUnderTest worker)
    {
        var patients = await FaultPatients.RegisterAsync(_setup, "slow-bus", Patients);
        var clinician = await FaultPatients.ClinicianAsync(_setup);
        var mix = new CheckInMix(alarmingShare: 0.3);
        var accepted = new ConcurrentDictionary<Guid, (Guid PatientId, bool Alarming)>();
        var retries = 0;

        (await _localAws.PutAsJsonAsync("/_localaws/faults", SlowAndFlaky)).EnsureSuccessStatusCode();
        try
        {
            await Parallel.ForEachAsync(patients, new ParallelOptions { MaxDegreeOfParallelism = Patients }, async (patient, ct) =>
            {
                for (var n = 0; n < CheckInsPerPatient; n++)
                {
                    var (checkIn, alarming) = mix.Next();
                    var key = Guid.NewGuid().ToString();
                    for (var attempt = 1; ; attempt++)
                    {
                        var outcome = await _impatient.CheckInAsync(patient.AccessToken, checkIn, key, ct);
                        if (outcome.Accepted)
                        {
                            Assert.True(accepted.TryAdd(outcome.ObservationId!.Value, (patient.PatientId!.Value, alarming)), "each key is one observation");
                            break;
                        }

                        Assert.True(outcome.Status is null, $"a timeout is the only failure: got {outcome.Status} {outcome.Error}");
                        Assert.True(attempt < 20, "the retries end");
                        Interlocked.Increment(ref retries);
                    }
                }
            });
        }
        finally
        {
            (await _localAws.DeleteAsync("/_localaws/faults")).EnsureSuccessStatusCode();
        }

        output.WriteLine($"{accepted.Count} check-ins accepted after {retries} client retries");
        Assert.Equal(Patients * CheckInsPerPatient, accepted.Count);
        Assert.True(retries > 0, "the clients timed out at least once, or the fault was not injected");

        await _quiescence.WaitAsync(worker, TimeSpan.FromMinutes(2));
        var stored = await _store.ObservationsByPatientAsync();
        foreach (var patient in patients)
        {
            var patientId = patient.PatientId!.Value;
            var expected = accepted.Where(a => a.Value.PatientId == patientId).ToList();
            Assert.Equal(expected.Select(a => a.Key).Order(), stored[patientId].Select(e => e.DataAs<HealthFlow.Domain.Events.ObservationSubmitted>().ObservationId).Order());

            var alerts = await FaultPatients.AlertsOfAsync(_setup, clinician.AccessToken, patientId);
            Assert.Equal(expected.Where(a => a.Value.Alarming).Select(a => a.Key).Order(), alerts.Select(a => a.ObservationId!.Value).Order());
        }

        // Exactly once where a duplicate would show: the store (a second AlertRaised collapses into one read-model row).
        return (await _store.LedgerAsync()).Violations(
            [.. accepted.Keys], accepted.Where(a => a.Value.Alarming).Select(a => a.Key).ToHashSet());
    }

    public void Dispose()
    {
        _setup.Dispose();
        _impatient.Dispose();
        _localAws.Dispose();
        _store.Dispose();
        _quiescence.Dispose();
    }
}
