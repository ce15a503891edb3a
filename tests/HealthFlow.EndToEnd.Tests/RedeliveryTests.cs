using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.EndToEnd.Tests.Faults;
using HealthFlow.Topology;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// The same stored events delivered again, as the outbox relay or SQS may: nothing is applied twice. Checked in the
/// event store (<see cref="ExactlyOnceLedger"/>), where a second AlertRaised would show, as well as in the API.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class RedeliveryTests(AppHostFixture system) : IDisposable
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);
    private readonly AwsAccess _aws = new(system.AwsEndpointUrl);
    private readonly SystemEventStore _store = new(system.AwsEndpointUrl);

    [Fact]
    public async Task Redelivered_observation_raises_one_alert_and_stores_one_observation_row()
    {
        var redelivered = await RedeliverAlarmingAndCalmCheckInsAsync();

        Assert.NotEmpty(redelivered.Accepted);
        var violations = (await _store.LedgerAsync()).Violations(redelivered.Accepted, redelivered.Alarming);
        Assert.True(violations.Count == 0, $"{violations.Count} exactly-once violations:\n{string.Join("\n", violations)}");
        var clinician = await _api.LoginClinicianAsync();
        var alert = Assert.Single(await _api.AlertsForPatientAsync(clinician, redelivered.PatientId));
        Assert.Equal(redelivered.Alarming.Single().ToString(), alert["observationId"]!.GetValue<string>());
        var observations = await _api.ObservationsAsync(redelivered.Patient, redelivered.PatientId);
        Assert.Equal(redelivered.Accepted.Order(), observations.Select(o => Guid.Parse(o["observationId"]!.GetValue<string>())).Order());
    }

    /// <summary>
    /// The negative control: an alert worker with a classic bug (on a conflict it appends AlertRaised again at the
    /// stream's current version, instead of taking the conflict as "already raised") handles the same redeliveries.
    /// The alerts read model still shows one row per alert, which is why it cannot be the check; the ledger
    /// reports the duplicate.
    /// </summary>
    [Fact]
    public async Task A_worker_that_appends_AlertRaised_again_on_redelivery_is_caught_by_the_ledger_though_the_read_model_shows_one_alert()
    {
        var resources = new ResourceControl(system.App);
        await _quiescence.WaitAsync();
        await resources.KillAsync("alert-worker");
        try
        {
            Redelivered redelivered;
            using (await PlantedAlertWorker.StartAsync(system.AwsEndpointUrl))
            {
                // The planted worker reads alert-evaluation only: escalation deadlines of earlier tests' alerts wait
                // for the real worker, as they would while it is down.
                redelivered = await RedeliverAlarmingAndCalmCheckInsAsync([HealthFlowTopology.Queues.AlertEscalation.Name]);
            }

            var violations = (await _store.LedgerAsync()).Violations(redelivered.Accepted, redelivered.Alarming);
            var violation = Assert.Single(violations);
            Assert.Contains($"alarming check-in {redelivered.Alarming.Single()} has 3 AlertRaised", violation);

            var clinician = await _api.LoginClinicianAsync();
            Assert.Single(await _api.AlertsForPatientAsync(clinician, redelivered.PatientId));
        }
        finally
        {
            await resources.StartAsync("alert-worker");
        }
    }

    private sealed record Redelivered(HealthFlowApi.Session Patient, Guid PatientId, IReadOnlyCollection<Guid> Accepted, IReadOnlySet<Guid> Alarming);

    /// <summary>An alarming and a calm check-in, each processed, then each stored event published twice more.</summary>
    private async Task<Redelivered> RedeliverAlarmingAndCalmCheckInsAsync(IReadOnlyCollection<string>? stoppedQueues = null)
    {
        var patient = await _api.RegisterPatientAsync();
        var patientId = patient.PatientId!.Value;
        var alarming = await _api.CheckInAsync(patient, new { score = 9 });
        var calm = await _api.CheckInAsync(patient, new { score = 2 });
        await _quiescence.WaitAsync(stoppedQueues ?? []);

        foreach (var observationId in new[] { alarming, calm })
        {
            var submitted = await _aws.EventStore.ReadStreamAsync(StreamId.ForObservation(observationId))
                .SingleAsync(e => e.Type == EventTypes.ObservationSubmitted);
            await _aws.Publisher.PublishAsync([submitted]);
            await _aws.Publisher.PublishAsync([submitted]);
        }

        await _quiescence.WaitAsync(stoppedQueues ?? []);
        return new Redelivered(patient, patientId, [alarming, calm], new HashSet<Guid> { alarming });
    }

    public void Dispose()
    {
        _quiescence.Dispose();
        _aws.Dispose();
        _store.Dispose();
    }
}
