using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthFlow.Api.Tests.Infrastructure;

namespace HealthFlow.Api.Tests.MonitoringPlans;

/// <summary>
/// PUT and GET /api/patients/{patientId}/monitoring-plan through the gateway, with tokens auth-api issued: who may set
/// and read a plan, bad input named by field, and If-Match. Reading a plan back needs the projection, so that is
/// tested end to end (MonitoringPlanAlertTests); here an admin sets plans, as no care team is projected.
/// </summary>
[Collection(ApiSystemCollection.Name)]
public sealed class MonitoringPlanApiTests(ApiSystem system) : IDisposable
{
    private static readonly object Scale2Plan = new
    {
        schedule = new { timesOfDay = new[] { "20:00", "08:00" }, timeZone = "Europe/London", graceMinutes = 60 },
        spO2Scale = new { scale = 2 },
        thresholds = new { heartRate = new { low = 55, severity = "medium" }, scoreThreshold = 6 },
        reason = "COPD with CO2 retention; bradycardic on bisoprolol.",
    };

    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());

    private static string PlanPath(Guid? patientId) => $"/api/patients/{patientId}/monitoring-plan";

    [Fact]
    public async Task An_admin_sets_a_plan_and_gets_version_1_with_the_stored_form_and_the_version_as_ETag()
    {
        var patient = await _api.RegisterPatientAsync();

        var response = await _api.PutMonitoringPlanAsync(await _api.LoginAdminAsync(), patient.PatientId!.Value, Scale2Plan);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
        var plan = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((1, patient.PatientId.ToString(), HealthFlowApi.DemoAdmin),
            (plan["version"]!.GetValue<int>(), plan["patientId"]!.GetValue<string>(), plan["setBy"]!.GetValue<string>()));
        // The stored form: scale 2's default target range recorded, the times of day in order.
        Assert.Equal((88, 92), (plan["plan"]!["spO2Scale"]!["targetLow"]!.GetValue<int>(), plan["plan"]!["spO2Scale"]!["targetHigh"]!.GetValue<int>()));
        Assert.Equal(["08:00", "20:00"], plan["plan"]!["schedule"]!["timesOfDay"]!.AsArray().Select(t => t!.GetValue<string>()));
    }

    [Fact]
    public async Task If_Match_with_the_current_version_sets_the_next_and_a_stale_one_is_a_412_naming_the_current()
    {
        var patient = await _api.RegisterPatientAsync();
        var admin = await _api.LoginAdminAsync();

        var first = await _api.PutMonitoringPlanAsync(admin, patient.PatientId!.Value, Scale2Plan, ifMatch: "\"0\"");
        var second = await _api.PutMonitoringPlanAsync(admin, patient.PatientId.Value, Scale2Plan, ifMatch: "\"1\"");
        var stale = await _api.PutMonitoringPlanAsync(admin, patient.PatientId.Value, Scale2Plan, ifMatch: "\"1\"");
        var unconditional = await _api.PutMonitoringPlanAsync(admin, patient.PatientId.Value, Scale2Plan);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.Equal(2, (await second.Content.ReadFromJsonAsync<JsonObject>())!["version"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(2, (await HealthFlowApi.ProblemAsync(stale)).RootElement.GetProperty("currentVersion").GetInt32());
        Assert.Equal("\"3\"", unconditional.Headers.ETag?.ToString());
    }

    [Theory]
    [InlineData("3")]
    [InlineData("\"three\"")]
    [InlineData("*")]
    public async Task An_If_Match_that_is_not_a_plan_version_tag_is_a_400_naming_the_header(string ifMatch)
    {
        var patient = await _api.RegisterPatientAsync();

        var response = await _api.PutMonitoringPlanAsync(await _api.LoginAdminAsync(), patient.PatientId!.Value, Scale2Plan, ifMatch);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await HealthFlowApi.ProblemAsync(response)).RootElement.GetProperty("errors").TryGetProperty("If-Match", out _));
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{"reason":"r","schedule":{"everyHours":0,"timeZone":"Europe/London"}}""", "schedule.everyHours" },
        { """{"reason":"r","schedule":{"everyHours":4,"timeZone":"Atlantis/Capital"}}""", "schedule.timeZone" },
        { """{"reason":"r","schedule":{"everyHours":4,"timeZone":"Europe/London","graceMinutes":300}}""", "schedule.graceMinutes" },
        { """{"reason":"r","spO2Scale":{"scale":2,"targetLow":93,"targetHigh":92}}""", "spO2Scale.targetLow" },
        { """{"reason":"r","thresholds":{"heartRate":{"low":120,"high":60,"severity":"high"}}}""", "thresholds.heartRate.low" },
        { """{"reason":"r","thresholds":{"temperature":{"high":38,"severity":"urgent"}}}""", "thresholds.temperature.severity" },
        { """{"spO2Scale":{"scale":2}}""", "reason" },
        { """{"reason":"r","schedule":{"everyHours":"four","timeZone":"Europe/London"}}""", "schedule.everyHours" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task A_bad_plan_is_a_400_problem_naming_the_field_and_nothing_is_set(string body, string field)
    {
        var patient = await _api.RegisterPatientAsync();
        var admin = await _api.LoginAdminAsync();

        using var request = new HttpRequestMessage(HttpMethod.Put, PlanPath(patient.PatientId)) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", admin.AccessToken);
        var response = await _api.Http.SendAsync(request);
        var next = await _api.PutMonitoringPlanAsync(admin, patient.PatientId!.Value, Scale2Plan, ifMatch: "\"0\"");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await HealthFlowApi.ProblemAsync(response)).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"expected {field} in {errors}");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task A_patient_may_not_set_a_plan_not_even_their_own()
    {
        var patient = await _api.RegisterPatientAsync();

        var response = await _api.PutMonitoringPlanAsync(patient, patient.PatientId!.Value, Scale2Plan);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await HealthFlowApi.ProblemAsync(response);
    }

    [Fact]
    public async Task A_clinician_outside_the_patients_care_teams_gets_a_404_for_both_the_PUT_and_the_GET()
    {
        var patient = await _api.RegisterPatientAsync();
        var credentials = await _api.CreateClinicianAsync();
        var clinician = await _api.LoginAsync(credentials.Username, credentials.Password);

        var put = await _api.PutMonitoringPlanAsync(clinician, patient.PatientId!.Value, Scale2Plan);
        var get = await _api.GetAsync(clinician, PlanPath(patient.PatientId));

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (put.StatusCode, get.StatusCode));
        await HealthFlowApi.ProblemAsync(put);
        await HealthFlowApi.ProblemAsync(get);
    }

    [Fact]
    public async Task A_plan_for_a_patient_who_never_registered_is_a_404()
    {
        var response = await _api.PutMonitoringPlanAsync(await _api.LoginAdminAsync(), Guid.NewGuid(), Scale2Plan);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await HealthFlowApi.ProblemAsync(response);
    }

    [Fact]
    public async Task Without_a_token_both_are_401_problems()
    {
        var patientId = Guid.NewGuid();

        var put = await _api.Http.PutAsJsonAsync(PlanPath(patientId), Scale2Plan);
        var get = await _api.Http.GetAsync(PlanPath(patientId));

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (put.StatusCode, get.StatusCode));
        await HealthFlowApi.ProblemAsync(put);
        await HealthFlowApi.ProblemAsync(get);
    }

    [Fact]
    public async Task A_patient_without_a_plan_reads_a_404_saying_the_defaults_apply_and_an_admin_may_not_read_it()
    {
        var patient = await _api.RegisterPatientAsync();

        var own = await _api.GetAsync(patient, PlanPath(patient.PatientId));
        var asAdmin = await _api.GetAsync(await _api.LoginAdminAsync(), PlanPath(patient.PatientId));

        Assert.Equal(HttpStatusCode.NotFound, own.StatusCode);
        Assert.Contains("default", (await HealthFlowApi.ProblemAsync(own)).RootElement.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, asAdmin.StatusCode);
    }

    public void Dispose() => _api.Http.Dispose();
}
