using System.Net.Http.Json;
using System.Net;
using System.Text.Json.Nodes;

namespace HealthFlow.EndToEnd.Tests;

[Collection(AppHostCollection.Name)]
public sealed class CheckInFlowTests(AppHostFixture system) : IDisposable
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);

    [Fact]
    public async Task Alarming_score_raises_an_alert_the_clinician_sees_with_the_patient_name_and_acknowledges()
    {
        var patient = await _api.RegisterPatientAsync("Ada Lovelace");
        var clinician = await _api.LoginClinicianAsync();

        var observationId = await _api.CheckInAsync(patient, new { score = 9 });

        var alert = await Eventually.GetAsync(
            async () => (await _api.AlertsForPatientAsync(clinician, patient.PatientId!.Value, "open"))
                .FirstOrDefault(a => a["rule"]!.GetValue<string>() == "score-threshold"),
            "the score alert to be listed");
        Assert.Equal("Ada Lovelace", alert["patientName"]!.GetValue<string>());
        Assert.Equal(observationId.ToString(), alert["observationId"]!.GetValue<string>());
        Assert.Equal("medium", alert["severity"]!.GetValue<string>());
        Assert.Equal(9, alert["score"]!.GetValue<int>());

        var alertId = alert["alertId"]!.GetValue<string>();
        var acknowledged = await _api.PostAsync(clinician, $"/api/alerts/{alertId}/acknowledge", new { note = "Called the patient." });
        Assert.Equal(HttpStatusCode.Accepted, acknowledged.StatusCode);

        var listed = await Eventually.GetAsync(
            async () => (await _api.AlertsForPatientAsync(clinician, patient.PatientId!.Value, "acknowledged"))
                .FirstOrDefault(a => a["alertId"]!.GetValue<string>() == alertId),
            "the alert to be listed as acknowledged");
        Assert.Equal("acknowledged", listed["status"]!.GetValue<string>());
        Assert.Equal(clinician.Username, listed["acknowledgedBy"]!.GetValue<string>());

        var again = await _api.PostAsync(clinician, $"/api/alerts/{alertId}/acknowledge", new { });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Alarming_vitals_raise_a_high_news2_alert_listing_the_reasons()
    {
        var patient = await _api.RegisterPatientAsync();
        var clinician = await _api.LoginClinicianAsync();

        await _api.CheckInAsync(patient, new
        {
            respiratoryRate = 26, oxygenSaturation = 90, onSupplementalOxygen = false, systolicBp = 95,
            heartRate = 125, consciousness = "alert", temperature = 38.5,
        });

        var alert = await Eventually.GetAsync(
            async () => (await _api.AlertsForPatientAsync(clinician, patient.PatientId!.Value))
                .FirstOrDefault(a => a["rule"]!.GetValue<string>() == "news2"),
            "the NEWS2 alert");
        Assert.Equal("high", alert["severity"]!.GetValue<string>());
        Assert.Equal(3 + 3 + 2 + 2 + 1, alert["news2"]!.GetValue<int>());
        var reasons = alert["reasons"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.Contains(reasons, r => r.Contains("respiratoryRate"));
        Assert.Contains(reasons, r => r.Contains("oxygenSaturation"));
    }

    [Fact]
    public async Task A_check_in_that_trips_both_rules_raises_one_alert_with_both_rules_reasons_and_the_higher_severity()
    {
        var patient = await _api.RegisterPatientAsync();
        var clinician = await _api.LoginClinicianAsync();

        var observationId = await _api.CheckInAsync(patient, new
        {
            score = 9, respiratoryRate = 26, oxygenSaturation = 90, onSupplementalOxygen = false, systolicBp = 95,
            heartRate = 125, consciousness = "alert", temperature = 38.5,
        });

        var alert = await Eventually.GetAsync(
            async () => (await _api.AlertsForPatientAsync(clinician, patient.PatientId!.Value)).FirstOrDefault(),
            "the alert");
        await _quiescence.WaitAsync();
        Assert.Single(await _api.AlertsForPatientAsync(clinician, patient.PatientId!.Value));
        Assert.Equal(observationId.ToString(), alert["observationId"]!.GetValue<string>());
        Assert.Equal("high", alert["severity"]!.GetValue<string>());
        Assert.Equal(["news2", "score-threshold"], alert["rules"]!.AsArray().Select(r => r!.GetValue<string>()));
        var reasons = alert["reasons"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.Contains("score 9 > 7", reasons);
        Assert.Contains(reasons, r => r.StartsWith("respiratoryRate", StringComparison.Ordinal));
        Assert.Equal((9, 11), (alert["score"]!.GetValue<int>(), alert["news2"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Unremarkable_check_in_raises_no_alert()
    {
        var patient = await _api.RegisterPatientAsync();
        var clinician = await _api.LoginClinicianAsync();

        var observationId = await _api.CheckInAsync(patient, new { score = 5, heartRate = 72 });

        await Eventually.UntilAsync(
            async () => (await _api.ObservationsAsync(patient, patient.PatientId!.Value))
                .Any(o => o["observationId"]!.GetValue<string>() == observationId.ToString()),
            "the check-in to be projected");
        await _quiescence.WaitAsync();
        Assert.Empty(await _api.AlertsForPatientAsync(clinician, patient.PatientId!.Value));
    }

    [Fact]
    public async Task Retry_with_the_same_idempotency_key_is_stored_once()
    {
        var patient = await _api.RegisterPatientAsync();
        var key = Guid.NewGuid().ToString();

        var first = await _api.SubmitCheckInAsync(patient, new { score = 3 }, key);
        var retry = await _api.SubmitCheckInAsync(patient, new { score = 3 }, key);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var firstId = (await first.Content.ReadFromJsonAsync<JsonObject>())!["observationId"]!.GetValue<string>();
        var retryId = (await retry.Content.ReadFromJsonAsync<JsonObject>())!["observationId"]!.GetValue<string>();
        Assert.Equal(firstId, retryId);

        await _quiescence.WaitAsync();
        var stored = await _api.ObservationsAsync(patient, patient.PatientId!.Value);
        Assert.Equal(firstId, Assert.Single(stored)["observationId"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_same_idempotency_key_with_another_body_is_refused_and_stores_nothing_more()
    {
        var patient = await _api.RegisterPatientAsync();
        var key = Guid.NewGuid().ToString();

        var first = await _api.SubmitCheckInAsync(patient, new { score = 3 }, key);
        var reused = await _api.SubmitCheckInAsync(patient, new { score = 4 }, key);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal("application/problem+json", reused.Content.Headers.ContentType?.MediaType);
        await _quiescence.WaitAsync();
        var stored = Assert.Single(await _api.ObservationsAsync(patient, patient.PatientId!.Value));
        Assert.Equal(3, stored["score"]!.GetValue<int>());
    }

    public void Dispose() => _quiescence.Dispose();
}
