using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.EndToEnd.Tests.Faults;
using HealthFlow.Topology;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// Escalation of unacknowledged alerts, with the AppHost's policy shortened to seconds (AppHostFixture): the
/// deadline travels as a delayed SQS message, alert-worker decides on the alert's stream, and the escalation
/// reaches the API through the outbox, EventBridge and the alert projection. A test that must act before a deadline
/// is decided holds the alert-escalation queue (a LocalAws fault) instead of racing the deadline on the real clock:
/// the deadline stays in the queue until released, however long a loaded machine takes to act. Exactly when an
/// alert escalates (before, at, after its deadline; legs beyond 15 minutes) is decided on a fake clock in
/// Consumers `AlertEscalationConsumerTests`.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class EscalationTests(AppHostFixture system) : IDisposable
{
    private const string AlertWorker = "alert-worker";

    // NEWS2 11 (high) with a symptom score of 9; also the notification tests' high alert.
    internal static readonly object HighCheckIn = new
    {
        score = 9, respiratoryRate = 26, oxygenSaturation = 90, onSupplementalOxygen = false, systolicBp = 95,
        heartRate = 125, consciousness = "alert", temperature = 38.5,
    };

    // The score rule alone: medium.
    private static readonly object MediumCheckIn = new { score = 9 };

    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly SystemEventStore _store = new(system.AwsEndpointUrl);
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);
    private readonly ResourceControl _resources = new(system.App);
    private readonly HttpClient _localAws = new() { BaseAddress = system.AwsEndpointUrl };

    [Fact]
    public async Task An_unacknowledged_high_alert_escalates_exactly_once_after_its_deadline()
    {
        var patient = await _api.RegisterPatientAsync();
        var clinician = await _api.LoginClinicianAsync();
        var alertId = AlertId.For(await _api.CheckInAsync(patient, HighCheckIn));

        var alert = await Eventually.GetAsync(
            async () => (await _api.AlertsForPatientAsync(clinician, patient.PatientId!.Value, "open"))
                .FirstOrDefault(a => a["escalated"]?.GetValue<bool>() == true),
            "the alert to show as escalated", TimeSpan.FromSeconds(60));

        Assert.Equal(alertId.ToString(), alert["alertId"]!.GetValue<string>());
        Assert.Equal("high", alert["severity"]!.GetValue<string>());
        Assert.Equal(1, alert["escalationLevel"]!.GetValue<int>());
        var raisedAt = alert["raisedAt"]!.GetValue<DateTimeOffset>();
        Assert.True(alert["escalatedAt"]!.GetValue<DateTimeOffset>() >= raisedAt + AppHostFixture.HighEscalatesAfter, "escalated before its deadline");

        // Nothing more is pending (no deadline, no event): the stream holds exactly one escalation.
        await _quiescence.WaitForEscalationDeadlinesAsync();
        var stream = await _store.AlertStreamAsync(alertId);
        Assert.Equal([EventTypes.AlertRaised, EventTypes.AlertEscalated], stream.Select(e => e.Type));
        Assert.Equal(stream[0].DataAs<AlertRaised>().RaisedAt + AppHostFixture.HighEscalatesAfter, stream[1].DataAs<AlertEscalated>().DueAt);
    }

    [Fact]
    public async Task An_escalated_alert_is_still_acknowledged_and_shows_both_the_escalation_and_who_took_it()
    {
        var patient = await _api.RegisterPatientAsync();
        var clinician = await _api.LoginClinicianAsync();
        var alertId = AlertId.For(await _api.CheckInAsync(patient, HighCheckIn));
        await Eventually.UntilAsync(
            async () => (await _store.AlertStreamAsync(alertId)).Any(e => e.Type == EventTypes.AlertEscalated),
            "the alert to be escalated", TimeSpan.FromSeconds(60));

        // The escalation is a change of the alert, not an acknowledgement: no 409.
        var acknowledged = await _api.PostAsync(clinician, $"/api/alerts/{alertId}/acknowledge", new { note = "Called the patient." });
        Assert.Equal(HttpStatusCode.Accepted, acknowledged.StatusCode);

        Assert.Equal([EventTypes.AlertRaised, EventTypes.AlertEscalated, EventTypes.AlertAcknowledged], (await _store.AlertStreamAsync(alertId)).Select(e => e.Type));
        var alert = await Eventually.GetAsync(
            async () => (await _api.AlertsForPatientAsync(clinician, patient.PatientId!.Value, "acknowledged")).FirstOrDefault(a => a["alertId"]!.GetValue<string>() == alertId.ToString()),
            "the alert to show as acknowledged", TimeSpan.FromSeconds(30));
        Assert.True(alert["escalated"]!.GetValue<bool>());
        Assert.Equal("Called the patient.", alert["acknowledgementNote"]!.GetValue<string>());

        var again = await _api.PostAsync(clinician, $"/api/alerts/{alertId}/acknowledge", new { });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var problem = JsonNode.Parse(await again.Content.ReadAsStringAsync())!;
        Assert.Equal(alert["acknowledgedBy"]!.GetValue<string>(), problem["acknowledgedBy"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_alert_acknowledged_before_its_deadline_is_decided_never_escalates()
    {
        var patient = await _api.RegisterPatientAsync();
        var clinician = await _api.LoginClinicianAsync();
        Guid alertId;
        await HoldDeadlinesAsync();
        try
        {
            alertId = AlertId.For(await _api.CheckInAsync(patient, MediumCheckIn));
            var raised = await RaisedAsync(alertId);

            var acknowledged = await _api.PostAsync(clinician, $"/api/alerts/{alertId}/acknowledge", new { note = "Seen in time." });
            Assert.Equal(HttpStatusCode.Accepted, acknowledged.StatusCode);
            // The deadline is due, and still waits in the held queue: alert-worker decides only once it is released.
            var dueAt = raised.RaisedAt + AppHostFixture.MediumEscalatesAfter;
            await Eventually.UntilAsync(() => Task.FromResult(DateTimeOffset.UtcNow > dueAt), "the deadline to pass", TimeSpan.FromSeconds(30));
            Assert.Equal([EventTypes.AlertRaised, EventTypes.AlertAcknowledged], (await _store.AlertStreamAsync(alertId)).Select(e => e.Type));
        }
        finally
        {
            await ReleaseDeadlinesAsync();
        }

        // Its message consumed: alert-worker has decided.
        await _quiescence.WaitForEscalationDeadlinesAsync();

        Assert.Equal([EventTypes.AlertRaised, EventTypes.AlertAcknowledged], (await _store.AlertStreamAsync(alertId)).Select(e => e.Type));
        // The read model follows the stream; a loaded machine may still be projecting the acknowledgement. What must
        // never show is an escalation, so wait for the acknowledgement and then look for one.
        var alert = await Eventually.GetAsync(
            async () => await AlertAsync(clinician, patient, alertId) is var a && a["status"]!.GetValue<string>() == "acknowledged" ? a : null,
            "the read model to show the acknowledgement", TimeSpan.FromSeconds(30));
        Assert.False(alert["escalated"]!.GetValue<bool>());
        Assert.Null(alert["escalatedAt"]);
    }

    [Fact]
    public async Task A_deadline_that_passes_while_alert_worker_is_down_escalates_after_it_restarts()
    {
        var patient = await _api.RegisterPatientAsync();
        var clinician = await _api.LoginClinicianAsync();
        Guid alertId;
        DateTimeOffset dueAt;
        await HoldDeadlinesAsync();
        try
        {
            alertId = AlertId.For(await _api.CheckInAsync(patient, MediumCheckIn));
            var raised = await RaisedAsync(alertId);
            dueAt = raised.RaisedAt + AppHostFixture.MediumEscalatesAfter;
            // Held, the deadline cannot have been decided before alert-worker stops, however late that is.
            await _resources.KillAsync(AlertWorker);

            await Eventually.UntilAsync(() => Task.FromResult(DateTimeOffset.UtcNow > dueAt), "the deadline to pass", TimeSpan.FromSeconds(30));
            Assert.Equal([EventTypes.AlertRaised], (await _store.AlertStreamAsync(alertId)).Select(e => e.Type));
        }
        finally
        {
            // Released with nobody to receive it, the due deadline waits for the restarted worker.
            try
            {
                await ReleaseDeadlinesAsync();
            }
            finally
            {
                await _resources.StartAsync(AlertWorker);
            }
        }

        var alert = await Eventually.GetAsync(
            async () => (await _api.AlertsForPatientAsync(clinician, patient.PatientId!.Value, "open"))
                .FirstOrDefault(a => a["escalated"]?.GetValue<bool>() == true),
            "the alert to escalate once alert-worker is back", TimeSpan.FromSeconds(90));
        Assert.Equal(alertId.ToString(), alert["alertId"]!.GetValue<string>());
        // The ObservationSubmitted the killed worker may have held comes back too; it must not add a second escalation.
        await _quiescence.WaitForEscalationDeadlinesAsync(TimeSpan.FromSeconds(90));
        var stream = await _store.AlertStreamAsync(alertId);
        Assert.Single(stream, e => e.Type == EventTypes.AlertEscalated);
        Assert.True(stream.Single(e => e.Type == EventTypes.AlertEscalated).DataAs<AlertEscalated>().EscalatedAt > dueAt);
    }

    /// <summary>Every deadline stays in alert-escalation until <see cref="ReleaseDeadlinesAsync"/>; the class runs alone (one AppHost collection).</summary>
    private async Task HoldDeadlinesAsync() =>
        (await _localAws.PutAsJsonAsync("/_localaws/faults", new { heldQueue = HealthFlowTopology.Queues.AlertEscalation.Name })).EnsureSuccessStatusCode();

    private async Task ReleaseDeadlinesAsync() =>
        (await _localAws.DeleteAsync("/_localaws/faults")).EnsureSuccessStatusCode();

    private async Task<AlertRaised> RaisedAsync(Guid alertId) =>
        await Eventually.GetAsync(
            async () => (await _store.AlertStreamAsync(alertId)).FirstOrDefault(e => e.Type == EventTypes.AlertRaised)?.DataAs<AlertRaised>(),
            "the alert to be raised");

    private async Task<JsonObject> AlertAsync(HealthFlowApi.Session clinician, HealthFlowApi.Session patient, Guid alertId) =>
        (await _api.AlertsForPatientAsync(clinician, patient.PatientId!.Value)).Single(a => a["alertId"]!.GetValue<string>() == alertId.ToString());

    public void Dispose()
    {
        _localAws.Dispose();
        _store.Dispose();
        _quiescence.Dispose();
    }
}
