using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// A clinician's monitoring plan changes what a check-in raises, for that patient only: set through the gateway
/// (command-api), carried by MonitoringPlanSet to the patient projection and read back (query-api), and applied by
/// alert-worker to the check-ins submitted after it, whose alerts name the plan version.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class MonitoringPlanAlertTests(AppHostFixture system) : IDisposable
{
    // SpO2 89 % on air, everything else normal: 3 points on scale 1 (a low-medium "red score"), 0 on scale 2.
    private static readonly object HypoxicOnAir = new
    {
        oxygenSaturation = 89, onSupplementalOxygen = false, respiratoryRate = 16, heartRate = 70,
        systolicBp = 120, temperature = 37.0, consciousness = "alert",
    };

    private static readonly object Scale2 = new { spO2Scale = new { scale = 2 }, reason = "COPD with CO2 retention: target 88-92 %." };

    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);

    [Fact]
    public async Task A_patient_on_SpO2_scale_2_raises_no_alert_for_89_on_air_where_a_scale_1_patient_does()
    {
        var clinician = await _api.LoginClinicianAsync();
        var onScale2 = await _api.RegisterPatientAsync();
        var onScale1 = await _api.RegisterPatientAsync();
        var set = await _api.PutMonitoringPlanAsync(clinician, onScale2.PatientId!.Value, Scale2, ifMatch: "\"0\"");
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        // The plan as the read side shows it, once projected.
        var plan = await Eventually.GetAsync(async () =>
        {
            var response = await _api.GetAsync(clinician, $"/api/patients/{onScale2.PatientId}/monitoring-plan");
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonObject>() : null;
        }, "the plan to be projected");
        Assert.Equal((1, clinician.Username), (plan["version"]!.GetValue<int>(), plan["setBy"]!.GetValue<string>()));
        Assert.Equal((2, 88, 92), (plan["plan"]!["spO2Scale"]!["scale"]!.GetValue<int>(),
            plan["plan"]!["spO2Scale"]!["targetLow"]!.GetValue<int>(), plan["plan"]!["spO2Scale"]!["targetHigh"]!.GetValue<int>()));
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetAsync(clinician, $"/api/patients/{onScale1.PatientId}/monitoring-plan")).StatusCode);

        var scale2CheckIn = await _api.CheckInAsync(onScale2, HypoxicOnAir);
        await _api.CheckInAsync(onScale1, HypoxicOnAir);

        var scale1Alert = await Eventually.GetAsync(
            async () => (await _api.AlertsForPatientAsync(clinician, onScale1.PatientId!.Value)).FirstOrDefault(),
            "the scale 1 patient's alert");
        Assert.Equal(("low-medium", "news2"), (scale1Alert["severity"]!.GetValue<string>(), scale1Alert["rule"]!.GetValue<string>()));
        Assert.Contains("oxygenSaturation 89 → 3", scale1Alert["reasons"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Null(scale1Alert["planVersion"]);
        await Eventually.UntilAsync(async () => (await _api.ObservationsAsync(onScale2, onScale2.PatientId.Value))
            .Any(o => o["observationId"]!.GetValue<string>() == scale2CheckIn.ToString()), "the scale 2 check-in to be projected");
        await _quiescence.WaitAsync();
        Assert.Empty(await _api.AlertsForPatientAsync(clinician, onScale2.PatientId.Value));
    }

    [Fact]
    public async Task A_personal_heart_rate_bound_raises_its_alert_naming_the_bound_under_the_plan_version_in_force()
    {
        var clinician = await _api.LoginClinicianAsync();
        var patient = await _api.RegisterPatientAsync();
        var first = await _api.PutMonitoringPlanAsync(clinician, patient.PatientId!.Value, Scale2);
        var second = await _api.PutMonitoringPlanAsync(clinician, patient.PatientId.Value, new
        {
            spO2Scale = new { scale = 2 },
            thresholds = new { heartRate = new { low = 55, severity = "medium" } },
            reason = "Bradycardic on bisoprolol: tell us below 55.",
        }, ifMatch: first.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("\"2\"", second.Headers.ETag!.ToString());

        // heartRate 50 scores 1 on NEWS2, which alone raises nothing.
        var observationId = await _api.CheckInAsync(patient, new { heartRate = 50, oxygenSaturation = 90, onSupplementalOxygen = false });

        var alert = await Eventually.GetAsync(
            async () => (await _api.AlertsForPatientAsync(clinician, patient.PatientId.Value)).FirstOrDefault(),
            "the personal-threshold alert");
        Assert.Equal(observationId.ToString(), alert["observationId"]!.GetValue<string>());
        Assert.Equal(("medium", "personal-threshold", 2),
            (alert["severity"]!.GetValue<string>(), alert["rule"]!.GetValue<string>(), alert["planVersion"]!.GetValue<int>()));
        Assert.Equal(["personal-threshold"], alert["rules"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(["heartRate 50 below personal low 55"], alert["reasons"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    public void Dispose()
    {
        _api.Http.Dispose();
        _quiescence.Dispose();
    }
}
