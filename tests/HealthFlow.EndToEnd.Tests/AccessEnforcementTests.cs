namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// The whole system runs with LocalAws enforcing each service's declared access (HealthFlowAccess), as IAM
/// does on AWS: the services do everything within it. That a grant taken away fails the path that needs it is
/// tested in-process (HealthFlow.Api.Tests, MissingGrantTests).
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class AccessEnforcementTests(AppHostFixture system) : IDisposable
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly HttpClient _localAws = new() { BaseAddress = system.AwsEndpointUrl };

    [Fact]
    public async Task The_check_in_path_runs_within_every_services_declared_access()
    {
        // LocalAws keeps the run's whole denial log; this test answers only for the calls made while it ran.
        var started = DateTimeOffset.UtcNow;
        var patient = await _api.RegisterPatientAsync("Grace Hopper");
        var clinician = await _api.LoginClinicianAsync();

        await _api.CheckInAsync(patient, new { score = 9 });
        var alert = await Eventually.GetAsync(
            async () => (await _api.AlertsForPatientAsync(clinician, patient.PatientId!.Value)).FirstOrDefault(),
            "the alert to be listed");

        Assert.Equal("Grace Hopper", alert["patientName"]!.GetValue<string>());
        // Every outbox mark removed (the check-in's, the alert's, the audit record's of that read), each by the
        // service that appended it: a refused removal would leave its commit in the outbox for good.
        using (var quiescence = new SystemQuiescence(system.AwsEndpointUrl))
        {
            await quiescence.WaitAsync();
        }

        var state = await LocalAwsAccess.StateAsync(_localAws);
        Assert.True(state["enforced"]!.GetValue<bool>());
        Assert.Empty(LocalAwsAccess.Denials(state, since: started));
    }

    public void Dispose()
    {
        _api.Http.Dispose();
        _localAws.Dispose();
    }
}
