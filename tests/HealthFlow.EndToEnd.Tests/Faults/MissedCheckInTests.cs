using System.Globalization;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// A scheduled check-in that never comes raises exactly one missed-check-in alert, with two alert-worker processes
/// competing for its deadline and the AppHost's one killed (SIGKILL) and started again while the deadline waits in
/// SQS; the patient's next check-in closes the alert. The schedule is a time of day in Etc/UTC, the next whole minute
/// at least a minute ahead, with no grace: the shortest window a real schedule allows (minutes, not hours), so the
/// test waits one to two minutes for a real deadline rather than shortening anything of alert-worker's
/// (<see cref="MissedCheckInWindow"/>).
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
        var window = await MissedCheckInWindow.PlanAsync(_api, _store, clinician, patient.PatientId!.Value);

        // MonitoringPlanSet is consumed and the window's first leg sits delayed in check-in-deadlines: kill a worker now.
        await _quiescence.WaitAsync();
        Assert.True(DateTimeOffset.UtcNow < window.DueAt, "The deadline passed before the worker was killed: the machine is too slow for this window.");
        await _resources.KillAsync(AppHostAlertWorker.Resource);
        await _resources.StartAsync(AppHostAlertWorker.Resource);

        await window.WaitForAlertAsync();

        // Whatever either worker still holds is finished: still exactly one alert, one recorded window, one AlertRaised.
        await _quiescence.WaitAsync();
        await window.AssertExactlyOneAlertAsync();

        await window.AssertNextCheckInClosesItAsync(patient);
        Assert.False(secondWorker.HasExited, $"The second alert-worker stopped. Its last output:\n{secondWorker.RecentOutput}");
    }

    public void Dispose()
    {
        _api.Http.Dispose();
        _quiescence.Dispose();
        _store.Dispose();
    }
}
