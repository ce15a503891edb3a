using System.Net;
using HealthFlow.Fhir.Tests;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthFlow.EndToEnd.Tests.Fhir;

/// <summary>
/// FHIR R4 in and out through the gateway, against the running system. Every resource a test receives
/// is validated with Firely's validator against the profiles it claims and its core type (0 errors).
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class FhirApiTests(AppHostFixture system, ProfileValidator validator) : IClassFixture<ProfileValidator>, IDisposable
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);
    private FhirClient Fhir => new(_api.Http);

    // NEWS2: RR 26 → 3, SpO2 90 → 3, air → 0, SBP 95 → 2, HR 125 → 2, alert → 0, 38.5 → 1: total 11, high.
    private static readonly object AlarmingJsonCheckIn = new
    {
        respiratoryRate = 26, oxygenSaturation = 90, onSupplementalOxygen = false, systolicBp = 95, diastolicBp = 60,
        heartRate = 125, consciousness = "alert", temperature = 38.5, score = 9,
    };

    private static Bundle AlarmingTransaction(DateTimeOffset measuredAt) => FhirClient.Transaction(
        FhirClient.Vital("9279-1", 26, "/min", measuredAt),
        FhirClient.Vital("59408-5", 90, "%", measuredAt),
        FhirClient.Local("supplemental-oxygen", new FhirBoolean(false), measuredAt),
        FhirClient.BloodPressure(95, 60, measuredAt),
        FhirClient.Vital("8867-4", 125, "/min", measuredAt),
        FhirClient.Local("consciousness", new CodeableConcept("http://healthflow.example.org/fhir/CodeSystem/acvpu", "A"), measuredAt),
        FhirClient.Vital("8310-5", 38.5m, "Cel", measuredAt),
        FhirClient.Local("symptom-score", new Integer(9), measuredAt));

    private async Task<FhirClient.Reply> ValidGetAsync(HealthFlowApi.Session? session, string path)
    {
        var reply = await Fhir.GetAsync(session, path);
        Assert.True(reply.Status == HttpStatusCode.OK, $"GET {path} answered {(int)reply.Status}");
        Assert.Equal(FhirClient.MediaType, reply.ContentType);
        validator.AssertValid(reply.Resource!);
        return reply;
    }

    [Fact]
    public async Task A_monitoring_plan_is_served_as_a_valid_CarePlan_with_its_Goals_in_the_search_and_in_everything()
    {
        var patient = await _api.RegisterPatientAsync();
        var clinician = await _api.LoginClinicianAsync();
        var patientId = patient.PatientId!.Value;
        var set = await _api.PutMonitoringPlanAsync(clinician, patientId, new
        {
            schedule = new { everyHours = 6, timeZone = "Europe/London", graceMinutes = 30 },
            spO2Scale = new { scale = 2 },
            thresholds = new { heartRate = new { low = 55, high = 110, severity = "medium" } },
            reason = "COPD: scale 2, bradycardic on bisoprolol.",
        });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var path = $"/fhir/r4/CarePlan?patient={patientId}";
        await Eventually.UntilAsync(async () => (await Fhir.GetAsync(clinician, path)).Resource is Bundle { Total: 1 }, "the plan to be projected");

        var search = (await ValidGetAsync(clinician, path)).As<Bundle>();
        var carePlan = Assert.IsType<CarePlan>(Assert.Single(search.Entry, e => e.Search!.Mode == Bundle.SearchEntryMode.Match).Resource);
        Assert.Equal(("1", $"Patient/{patientId}"), (carePlan.Meta!.VersionId, carePlan.Subject!.Reference));
        Assert.Equal(6m, Assert.IsType<Timing>(Assert.Single(carePlan.Activity).Detail!.Scheduled).Repeat!.Period);
        var goals = search.Entry.Where(e => e.Search!.Mode == Bundle.SearchEntryMode.Include).Select(e => Assert.IsType<Goal>(e.Resource)).ToList();
        Assert.Equal(carePlan.Goal.Select(g => g.Reference), goals.Select(g => $"Goal/{g.Id}"));
        Assert.Equal(2, goals.Count);

        var everything = (await ValidGetAsync(clinician, $"/fhir/r4/Patient/{patientId}/$everything")).As<Bundle>();
        Assert.Single(everything.Entry, e => e.Resource is CarePlan);
        Assert.Equal(2, everything.Entry.Count(e => e.Resource is Goal));
        var capability = (await ValidGetAsync(null, "/fhir/r4/metadata")).As<CapabilityStatement>();
        Assert.Contains(capability.Rest.Single().Resource, r => r.Type == "CarePlan");
    }

    [Fact]
    public async Task Every_resource_the_FHIR_API_returns_validates_against_its_profile()
    {
        var patient = await _api.RegisterPatientAsync("Grace Hopper");
        var clinician = await _api.LoginClinicianAsync();
        var patientId = patient.PatientId!.Value;
        var checkInId = await _api.CheckInAsync(patient, AlarmingJsonCheckIn);
        await Eventually.UntilAsync(async () => (await _api.AlertsForPatientAsync(clinician, patientId)).Count > 0, "the alert");

        var capability = (await ValidGetAsync(null, "/fhir/r4/metadata")).As<CapabilityStatement>();
        Assert.Contains(capability.Rest.Single().Resource, r => r.Type == "Observation");

        var fhirPatient = (await ValidGetAsync(clinician, $"/fhir/r4/Patient/{patientId}")).As<Patient>();
        Assert.Equal("Grace Hopper", fhirPatient.Name.Single().Text);

        var search = (await ValidGetAsync(clinician, $"/fhir/r4/Observation?patient={patientId}&_count=10&_sort=-date")).As<Bundle>();
        Assert.Equal(Bundle.BundleType.Searchset, search.Type);
        var observations = search.Entry.Select(e => Assert.IsType<Observation>(e.Resource)).ToList();
        // Heart rate, respiratory rate, SpO2, temperature, the BP panel, ACVPU, oxygen, the score and NEWS2.
        Assert.Equal(9, observations.Count);
        AssertNonEmpty.All(observations, o => Assert.StartsWith(checkInId.ToString(), o.Id, StringComparison.Ordinal));
        var news2 = observations.Single(o => o.Code!.Coding.Any(c => c.Code == "news2-total"));
        Assert.Equal(11m, Assert.IsType<Quantity>(news2.Value).Value);

        var flags = (await ValidGetAsync(clinician, $"/fhir/r4/Flag?patient=Patient/{patientId}")).As<Bundle>();
        var flag = Assert.IsType<Flag>(Assert.Single(flags.Entry).Resource);
        Assert.Equal(Flag.FlagStatus.Active, flag.Status);
        Assert.Contains("respiratoryRate 26 → 3", flag.Code!.Text);

        var everything = (await ValidGetAsync(clinician, $"/fhir/r4/Patient/{patientId}/$everything")).As<Bundle>();
        Assert.Equal(["Patient", .. Enumerable.Repeat("Observation", 9), "Flag"], everything.Entry.Select(e => e.Resource!.TypeName));

        var heartRate = (await ValidGetAsync(patient, $"/fhir/r4/Observation/{checkInId}-heart-rate")).As<Observation>();
        Assert.Equal(125m, Assert.IsType<Quantity>(heartRate.Value).Value);

        // The patient reads their own record through the same endpoints.
        await ValidGetAsync(patient, $"/fhir/r4/Observation?patient={patientId}");
    }

    [Fact]
    public async Task FHIR_reads_have_the_JSON_APIs_authorization_and_answer_errors_with_OperationOutcome()
    {
        var patient = await _api.RegisterPatientAsync();
        var other = await _api.RegisterPatientAsync();
        var clinician = await _api.LoginClinicianAsync();
        // The new patient joins the demo clinician's care team (Demo ward) once projected; until then it is a 404.
        await Eventually.UntilAsync(async () => (await _api.GetAsync(clinician, $"/api/patients/{patient.PatientId}")).IsSuccessStatusCode,
            "the demo clinician's care team to hold the new patient");

        async Task ExpectOutcome(HealthFlowApi.Session? session, string path, HttpStatusCode status)
        {
            var reply = await Fhir.GetAsync(session, path);
            Assert.True(reply.Status == status, $"GET {path} answered {(int)reply.Status}, expected {(int)status}");
            Assert.Equal(FhirClient.MediaType, reply.ContentType);
            validator.AssertValid(reply.As<OperationOutcome>());
        }

        await ExpectOutcome(null, $"/fhir/r4/Patient/{patient.PatientId}", HttpStatusCode.Unauthorized);
        // Another patient's data does not exist for the caller (as in the JSON API): 404, not 403, so ids do not leak.
        await ExpectOutcome(other, $"/fhir/r4/Patient/{patient.PatientId}", HttpStatusCode.NotFound);
        await ExpectOutcome(other, $"/fhir/r4/Observation?patient={patient.PatientId}", HttpStatusCode.NotFound);
        await ExpectOutcome(clinician, $"/fhir/r4/Patient/{Guid.NewGuid()}", HttpStatusCode.NotFound);
        await ExpectOutcome(clinician, $"/fhir/r4/Observation?patient={patient.PatientId}&_count=0", HttpStatusCode.BadRequest);
        await ExpectOutcome(clinician, $"/fhir/r4/Observation?patient={patient.PatientId}&_sort=date", HttpStatusCode.BadRequest);
        await ExpectOutcome(clinician, $"/fhir/r4/Observation?patient={patient.PatientId}&cursor=forged", HttpStatusCode.BadRequest);
        await ExpectOutcome(clinician, "/fhir/r4/Observation", HttpStatusCode.BadRequest);
        await ExpectOutcome(clinician, "/fhir/r4/Encounter", HttpStatusCode.NotFound);
        await ValidGetAsync(clinician, $"/fhir/r4/Patient/{patient.PatientId}");
    }

    [Fact]
    public async Task An_Observation_search_pages_newest_first_with_a_next_link()
    {
        var patient = await _api.RegisterPatientAsync();
        var start = DateTimeOffset.UtcNow.AddHours(-3);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await _api.CheckInAsync(patient, new { heartRate = 70 + i, measuredAt = start.AddHours(i).ToString("o") }));
        }

        await Eventually.UntilAsync(async () => (await _api.ObservationsAsync(patient, patient.PatientId!.Value)).Count == 3, "the three check-ins");

        var first = (await ValidGetAsync(patient, $"/fhir/r4/Observation?patient={patient.PatientId}&_count=2&_sort=-date")).As<Bundle>();
        // Each check-in is its heart rate and the (partial) NEWS2 derived from it; _count counts check-ins.
        Assert.Equal([$"{ids[2]}-heart-rate", $"{ids[2]}-news2-total", $"{ids[1]}-heart-rate", $"{ids[1]}-news2-total"], first.Entry.Select(e => e.Resource!.Id));
        var next = Assert.Single(first.Link, l => l.Relation == "next").Url!;

        var second = (await ValidGetAsync(patient, new Uri(next).PathAndQuery)).As<Bundle>();
        Assert.Equal([$"{ids[0]}-heart-rate", $"{ids[0]}-news2-total"], second.Entry.Select(e => e.Resource!.Id));
        Assert.DoesNotContain(second.Link, l => l.Relation == "next");
    }

    [Fact]
    public async Task A_transaction_Bundle_raises_the_same_alert_as_the_equivalent_JSON_check_in()
    {
        var jsonPatient = await _api.RegisterPatientAsync();
        var fhirPatient = await _api.RegisterPatientAsync();
        var clinician = await _api.LoginClinicianAsync();
        var measuredAt = DateTimeOffset.UtcNow.AddMinutes(-5);

        await _api.CheckInAsync(jsonPatient, AlarmingJsonCheckIn);
        var reply = await Fhir.PostAsync(fhirPatient, "/fhir/r4", AlarmingTransaction(measuredAt));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var response = reply.As<Bundle>();
        validator.AssertValid(response);
        Assert.Equal(Bundle.BundleType.TransactionResponse, response.Type);
        AssertNonEmpty.All(response.Entry, e => Assert.Equal("201 Created", e.Response!.Status));

        async Task<HealthFlowAlert> AlertOf(HealthFlowApi.Session patient) => new(await Eventually.GetAsync(
            async () => (await _api.AlertsForPatientAsync(clinician, patient.PatientId!.Value)).FirstOrDefault(),
            "the alert"));
        var fromJson = await AlertOf(jsonPatient);
        var fromFhir = await AlertOf(fhirPatient);

        Assert.Equal("high", fromFhir.Severity);
        Assert.Equal(fromJson, fromFhir);

        // Each entry's location is where its reading is read back.
        var location = response.Entry[0].Response!.Location!;
        var observation = await Eventually.GetAsync(
            async () => (await Fhir.GetAsync(fhirPatient, $"/fhir/r4/{location}")) is { Status: HttpStatusCode.OK } ok ? ok : null,
            "the submitted Observation to be readable");
        validator.AssertValid(observation.Resource!);
        Assert.Equal(26m, Assert.IsType<Quantity>(observation.As<Observation>().Value).Value);
    }

    [Fact]
    public async Task An_invalid_Bundle_gets_an_OperationOutcome_naming_the_element_and_stores_nothing()
    {
        var patient = await _api.RegisterPatientAsync();
        var measuredAt = DateTimeOffset.UtcNow.AddMinutes(-5);
        var fahrenheit = FhirClient.Vital("8310-5", 101.3m, "[degF]", measuredAt);
        ((Quantity)fahrenheit.Value!).Code = null;
        ((Quantity)fahrenheit.Value!).System = null;

        var unsupportedUnit = await Fhir.PostAsync(patient, "/fhir/r4", FhirClient.Transaction(FhirClient.Vital("8867-4", 130, "/min", measuredAt), fahrenheit));
        var outOfRange = await Fhir.PostAsync(patient, "/fhir/r4", FhirClient.Transaction(FhirClient.Vital("9279-1", 30, "/min", measuredAt), FhirClient.Vital("8867-4", 400, "/min", measuredAt)));
        var unsupportedCode = await Fhir.PostAsync(patient, "/fhir/r4/Observation", FhirClient.Vital("2339-0", 5.4m, "mmol/L", measuredAt));
        var notJson = await Fhir.SendAsync(patient, HttpMethod.Post, "/fhir/r4", "{\"resourceType\":\"Bundle\",", []);

        Assert.Equal("Bundle.entry[1].resource.valueQuantity.unit", Single(unsupportedUnit, HttpStatusCode.UnprocessableEntity));
        Assert.Equal("Bundle.entry[1].resource.valueQuantity.value", Single(outOfRange, HttpStatusCode.UnprocessableEntity));
        Assert.Equal("Observation.code", Single(unsupportedCode, HttpStatusCode.UnprocessableEntity));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.Status);
        validator.AssertValid(notJson.As<OperationOutcome>());

        await _quiescence.WaitAsync();
        Assert.Empty(await _api.ObservationsAsync(patient, patient.PatientId!.Value));
        Assert.Empty((await ValidGetAsync(patient, $"/fhir/r4/Observation?patient={patient.PatientId}")).As<Bundle>().Entry);
    }

    [Fact]
    public async Task A_retried_conditional_create_stores_one_check_in()
    {
        var patient = await _api.RegisterPatientAsync();
        var heartRate = FhirClient.Vital("8867-4", 88, "/min", DateTimeOffset.UtcNow.AddMinutes(-1));
        var condition = ("If-None-Exist", $"identifier=http://device.example/readings|{Guid.NewGuid()}");

        var first = await Fhir.PostAsync(patient, "/fhir/r4/Observation", heartRate, condition);
        var retry = await Fhir.PostAsync(patient, "/fhir/r4/Observation", heartRate, condition);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        // The condition matches what the first one created: FHIR answers a match with 200 and creates nothing.
        Assert.Equal(HttpStatusCode.OK, retry.Status);
        validator.AssertValid(first.Resource!);
        Assert.Equal(first.Response.Headers.Location, retry.Response.Headers.Location);
        await _quiescence.WaitAsync();
        Assert.Single(await _api.ObservationsAsync(patient, patient.PatientId!.Value));
    }

    [Fact]
    public async Task A_conditional_create_whose_condition_matches_returns_the_existing_Observation_whatever_its_body()
    {
        var patient = await _api.RegisterPatientAsync();
        var measuredAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        var condition = ("If-None-Exist", $"identifier=http://device.example/readings|{Guid.NewGuid()}");

        var first = await Fhir.PostAsync(patient, "/fhir/r4/Observation", FhirClient.Vital("8867-4", 88, "/min", measuredAt), condition);
        var other = await Fhir.PostAsync(patient, "/fhir/r4/Observation", FhirClient.Vital("8867-4", 140, "/min", measuredAt), condition);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.OK, other.Status);
        var existing = other.As<Observation>();
        validator.AssertValid(existing);
        Assert.Equal(88m, Assert.IsType<Quantity>(existing.Value).Value);
        Assert.Equal(first.Response.Headers.Location, other.Response.Headers.Location);
        await _quiescence.WaitAsync();
        var stored = Assert.Single(await _api.ObservationsAsync(patient, patient.PatientId!.Value));
        Assert.Equal(88, stored["heartRate"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_transaction_whose_entries_conditions_match_returns_the_existing_Observations_whatever_its_body()
    {
        var patient = await _api.RegisterPatientAsync();
        var measuredAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        var device = Guid.NewGuid();
        Bundle Conditional(decimal heartRate)
        {
            var bundle = FhirClient.Transaction(FhirClient.Vital("8867-4", heartRate, "/min", measuredAt));
            bundle.Entry[0].Request!.IfNoneExist = $"identifier=http://device.example/readings|{device}";
            return bundle;
        }

        var first = await Fhir.PostAsync(patient, "/fhir/r4", Conditional(88));
        var other = await Fhir.PostAsync(patient, "/fhir/r4", Conditional(140));

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal("201 Created", Assert.Single(first.As<Bundle>().Entry).Response!.Status);
        Assert.Equal(HttpStatusCode.OK, other.Status);
        var entry = Assert.Single(other.As<Bundle>().Entry, e => e.Resource is Observation { Code.Coding: [{ Code: "8867-4" }] });
        Assert.Equal("200 OK", entry.Response!.Status);
        Assert.Equal(88m, Assert.IsType<Quantity>(Assert.IsType<Observation>(entry.Resource).Value).Value);
        Assert.Equal(Assert.Single(first.As<Bundle>().Entry).Response!.Location, entry.Response.Location);
        validator.AssertValid(other.Resource!);
        await _quiescence.WaitAsync();
        Assert.Single(await _api.ObservationsAsync(patient, patient.PatientId!.Value));
    }

    [Fact]
    public async Task An_admin_reads_a_patients_audit_trail_as_AuditEvents_that_validate_and_no_one_else_does()
    {
        var clinician = await _api.LoginClinicianAsync();
        var patient = await _api.RegisterPatientAsync();
        await Eventually.UntilAsync(async () => (await _api.GetAsync(clinician, $"/api/patients/{patient.PatientId}")).IsSuccessStatusCode,
            "the demo clinician to read the new patient (Demo ward)");
        var admin = await _api.LoginAdminAsync();

        FhirClient.Reply? reply = null;
        await Eventually.UntilAsync(async () =>
        {
            reply = await ValidGetAsync(admin, $"/fhir/r4/AuditEvent?patient=Patient/{patient.PatientId}");
            return reply.As<Bundle>().Entry.Count > 0;
        }, "the read's AuditEvent");

        var audit = Assert.IsType<AuditEvent>(reply!.As<Bundle>().Entry[0].Resource);
        Assert.Equal(clinician.Username, audit.Agent[0].Who!.Display);
        Assert.Equal($"Patient/{patient.PatientId}", Assert.Single(audit.Entity).What!.Reference);
        Assert.Equal(AuditEvent.AuditEventOutcome.N0, audit.Outcome);
        var refused = await Fhir.GetAsync(clinician, $"/fhir/r4/AuditEvent?patient={patient.PatientId}");
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        validator.AssertValid(refused.As<OperationOutcome>());
    }

    private string Single(FhirClient.Reply reply, HttpStatusCode status)
    {
        Assert.Equal(status, reply.Status);
        var outcome = reply.As<OperationOutcome>();
        validator.AssertValid(outcome);
        return Assert.Single(Assert.Single(outcome.Issue).Expression)!;
    }

    /// <summary>What a clinician sees of an alert, without the ids and times that differ between two patients.</summary>
    private sealed record HealthFlowAlert(string Severity, string Rule, string Rules, string Reasons, int? News2, int? Score, bool Partial)
    {
        public HealthFlowAlert(System.Text.Json.Nodes.JsonObject alert) : this(
            alert["severity"]!.GetValue<string>(),
            alert["rule"]!.GetValue<string>(),
            alert["rules"]!.ToJsonString(),
            alert["reasons"]!.ToJsonString(),
            alert["news2"]?.GetValue<int>(),
            alert["score"]?.GetValue<int>(),
            alert["partial"]!.GetValue<bool>())
        {
        }
    }

    public void Dispose()
    {
        _api.Http.Dispose();
        _quiescence.Dispose();
    }
}
