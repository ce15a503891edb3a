using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// The whole system runs with LocalAws enforcing each service's declared access (HealthFlowAccess), as IAM
/// does on AWS: the services do everything within it, and a grant taken away fails the path that needs it.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class AccessEnforcementTests(AppHostFixture system) : IDisposable
{
    private const string AccessPath = "/_localaws/access";
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

        var state = await AccessStateAsync();
        Assert.True(state["enforced"]!.GetValue<bool>());
        Assert.Empty(Denials(state, since: started));
    }

    [Fact]
    public async Task A_missing_grant_fails_the_check_in_with_AccessDenied_naming_service_action_and_resource()
    {
        var patient = await _api.RegisterPatientAsync();
        var started = DateTimeOffset.UtcNow;
        using (var revoked = await _localAws.PostAsJsonAsync($"{AccessPath}/revocations",
            new { service = "command-api", action = "dynamodb:PutItem", resource = "table/events" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        }

        try
        {
            using var refused = await _api.SubmitCheckInAsync(patient, new { score = 2 });

            Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
            Assert.Contains(Denials(await AccessStateAsync(), since: started),
                d => d is { Service: "command-api", Action: "dynamodb:PutItem", Resource: "table/events" });
        }
        finally
        {
            (await _localAws.DeleteAsync($"{AccessPath}/revocations")).Dispose();
        }

        using var accepted = await _api.SubmitCheckInAsync(patient, new { score = 2 });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    private async Task<JsonObject> AccessStateAsync() => (await _localAws.GetFromJsonAsync<JsonObject>(AccessPath))!;

    private static List<(string Service, string Action, string Resource)> Denials(JsonObject state, DateTimeOffset since) =>
        state["denials"]!.AsArray()
            .Where(d => d!["at"]!.GetValue<DateTimeOffset>() >= since)
            .Select(d => (d!["service"]!.GetValue<string>(), d["action"]!.GetValue<string>(), d["resource"]!.GetValue<string>()))
            .ToList();

    public void Dispose()
    {
        _api.Http.Dispose();
        _localAws.Dispose();
    }
}
