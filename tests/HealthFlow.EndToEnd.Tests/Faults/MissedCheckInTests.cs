using System.Globalization;
using System.Net;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// A scheduled check-in that never comes raises exactly one missed-check-in alert, with two alert-worker processes
/// competing for its deadline and the AppHost's one killed (SIGKILL) and started again while the deadline waits in
/// SQS; the patient's next check-in closes the alert. The schedule is a time of day in Etc/UTC, the next whole minute
/// at least a minute ahead, with no grace: the shortest window a real schedule allows (minutes, not hours), so the
/// test waits one to two minutes for a real deadline rather than shortening anything of alert-worker's.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class MissedCheckInTests(AppHostFixture system) : IDisposable
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly ResourceControl _resources = new(system.App);
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);
    private readonly SystemEventStore _store = new(system.AwsEndpointUrl);

    [Fact]
    public async Task A_missed_window_raises_one_alert_across_two_workers_and_a_kill_and_the_next_check_in_closes_it()
    {
        var aws = system.AwsEndpointUrl.GetLeftPart(UriPartial.Authority);
        await using var secondWorker = await ServiceProcess.StartAlertWorkerAsync(new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL"] = aws,
            ["AWS_REGION"] = "us-east-1",
            // Its own identity, as the AppHost gives it: LocalAws holds it to alert-worker's declared access.
            ["AWS_ACCESS_KEY_ID"] = AppHostAlertWorker.Resource,
            ["AWS_SECRET_ACCESS_KEY"] = "local",
            // The AppHost's escalation policy: a replica under the defaults would send on other tests' deadlines
            // for 15 minutes and more, where the AppHost's worker sends them for seconds.
            ["Escalation__HighAfter"] = AppHostFixture.HighEscalatesAfter.ToString("c", CultureInfo.InvariantCulture),
            ["Escalation__MediumAfter"] = AppHostFixture.MediumEscalatesAfter.ToString("c", CultureInfo.InvariantCulture),
        });
        var clinician = await _api.LoginClinicianAsync();
        var patient = await _api.RegisterPatientAsync();
        var patientId = patient.PatientId!.Value;
        var now = DateTimeOffset.UtcNow;
        var dueAt = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(2);

        var set = await _api.PutMonitoringPlanAsync(clinician, patientId, new
        {
            schedule = new { timesOfDay = new[] { dueAt.ToString("HH:mm", CultureInfo.InvariantCulture) }, timeZone = "Etc/UTC", graceMinutes = 0 },
            reason = "Daily check-in after discharge.",
        });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        // MonitoringPlanSet is consumed and the window's first leg sits delayed in check-in-deadlines: kill a worker now.
        await _quiescence.WaitAsync();
        Assert.True(DateTimeOffset.UtcNow < dueAt, "The deadline passed before the worker was killed: the machine is too slow for this window.");
        await _resources.KillAsync(AppHostAlertWorker.Resource);
        await _resources.StartAsync(AppHostAlertWorker.Resource);

        var missed = await Eventually.GetAsync(
            async () => (await _api.AlertsForPatientAsync(clinician, patientId)).FirstOrDefault(a => a["rule"]!.GetValue<string>() == AlertRules.CheckInMissed),
            "the missed-check-in alert", dueAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(90));
        Assert.Null(missed["observationId"]);
        Assert.Equal(dueAt, DateTimeOffset.Parse(missed["missedDueAt"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        Assert.Equal(("low-medium", "open"), (missed["severity"]!.GetValue<string>(), missed["status"]!.GetValue<string>()));
        Assert.Equal([$"No check-in due {dueAt:HH:mm} Etc/UTC on {dueAt:yyyy-MM-dd} by {dueAt:HH:mm} (grace 0 min)."],
            missed["reasons"]!.AsArray().Select(r => r!.GetValue<string>()));

        // Whatever either worker still holds is finished: still exactly one alert, one recorded window, one AlertRaised.
        await _quiescence.WaitAsync();
        var alertId = AlertId.ForMissedCheckIn(patientId, dueAt);
        Assert.Equal(alertId.ToString(), Assert.Single(await _api.AlertsForPatientAsync(clinician, patientId))["alertId"]!.GetValue<string>());
        Assert.Single(await _store.AlertStreamAsync(alertId), e => e.Type == EventTypes.AlertRaised);
        var window = Assert.Single(await _store.StreamAsync(StreamId.ForSchedule(patientId)), e => e.Type == EventTypes.CheckInWindowMissed).DataAs<CheckInWindowMissed>();
        Assert.Equal((alertId, 1, dueAt), (window.AlertId, window.PlanVersion, window.DueAt));
        var row = Assert.Single((await _api.GetJsonAsync(clinician, $"/api/worklist?patientId={patientId}"))["items"]!.AsArray());
        Assert.Equal(1, row!["missedCheckIns"]!.GetValue<int>());

        var checkIn = await _api.CheckInAsync(patient, new { score = 2 });

        var closed = await Eventually.GetAsync(async () =>
        {
            var alert = (await _api.AlertsForPatientAsync(clinician, patientId)).Single();
            return alert["status"]!.GetValue<string>() == "acknowledged" ? alert : null;
        }, "the check-in to close the missed-check-in alert", TimeSpan.FromSeconds(60));
        Assert.Equal("system", closed["acknowledgedBy"]!.GetValue<string>());
        Assert.Contains(checkIn.ToString("D"), closed["acknowledgementNote"]!.GetValue<string>());
        Assert.False(secondWorker.HasExited, $"The second alert-worker stopped. Its last output:\n{secondWorker.RecentOutput}");
    }

    public void Dispose()
    {
        _api.Http.Dispose();
        _quiescence.Dispose();
        _store.Dispose();
    }
}
