using HealthFlow.EndToEnd.Tests.Faults;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// A missed check-in window with two alert-worker replicas competing for its deadline, one of them SIGKILLed while
/// the deadline waits delayed in SQS and replaced by the AppHost as ECS would: still exactly one CheckInMissed alert,
/// and the next check-in closes it.
/// </summary>
[Collection(ReplicatedAppHostCollection.Name)]
public sealed class ReplicatedMissedCheckInTests(ReplicatedAppHostFixture system) : IDisposable
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);
    private readonly SystemEventStore _store = new(system.AwsEndpointUrl);

    [Fact]
    public async Task A_missed_window_raises_one_alert_with_two_alert_workers_and_one_killed_while_its_deadline_waits()
    {
        var clinician = await _api.LoginClinicianAsync();
        var patient = await _api.RegisterPatientAsync();
        var window = await MissedCheckInWindow.PlanAsync(_api, _store, clinician, patient.PatientId!.Value);

        // MonitoringPlanSet is consumed and the window's first leg sits delayed in check-in-deadlines.
        await _quiescence.WaitAsync();
        Assert.True(DateTimeOffset.UtcNow < window.DueAt, "The deadline passed before the worker was killed: the machine is too slow for this window.");
        var victim = system.Replicas("alert-worker")[0];
        await ResourceControl.KillProcessAsync(victim.ProcessId);
        await system.WaitReplacedAsync(victim);

        await window.WaitForAlertAsync();
        await _quiescence.WaitAsync();
        await window.AssertExactlyOneAlertAsync();

        await window.AssertNextCheckInClosesItAsync(patient);
    }

    public void Dispose()
    {
        _api.Http.Dispose();
        _quiescence.Dispose();
        _store.Dispose();
    }
}
