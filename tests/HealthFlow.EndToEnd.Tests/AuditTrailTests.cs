using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// Every response carrying patient data leaves exactly one audit record per patient; every refusal a denied one.
/// The endpoints come from each API's OpenAPI document (tag "Patient data"), so a new one cannot be forgotten.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class AuditTrailTests(AppHostFixture system)
{
    private const string PatientDataTag = "Patient data";
    private const string StreamPath = "/api/alerts/stream";
    private const string PlanPath = "/api/patients/{patientId}/monitoring-plan";
    // A schedule, so the check-in status has a window to answer with.
    private static readonly object Plan = new
    {
        schedule = new { everyHours = 24, timeZone = "Europe/London" },
        spO2Scale = new { scale = 2 },
        reason = "Audit trail test.",
    };
    private static readonly string[] ApisServingPatientData = ["auth-api", "command-api", "query-api"];

    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());

    [Fact]
    public async Task Every_patient_data_endpoint_leaves_one_record_per_call_and_one_denied_record_per_refusal()
    {
        var clinic = await CareTeamClinic.CreateAsync(_api);
        var (a, b) = (clinic.A, clinic.B);
        var endpoints = await PatientDataEndpointsAsync();
        Assert.Contains(endpoints, e => e.Path == "/api/patients/{patientId}/observations");
        Assert.Contains(endpoints, e => e.Path == "/api/alerts/{alertId}/acknowledge");
        Assert.Contains(endpoints, e => e.Path == "/api/worklist");
        Assert.Contains(endpoints, e => e.Path == StreamPath);
        Assert.Contains(endpoints, e => e.Path == "/fhir/r4/Patient/{patientId}/$everything");
        Assert.Contains(endpoints, e => e == ("PUT", PlanPath));
        Assert.Contains(endpoints, e => e == ("GET", PlanPath));
        // Each ward's patient has a plan to read, set by the admin (whose records are not the clinician's).
        foreach (var ward in new[] { a, b })
        {
            Assert.Equal(HttpStatusCode.OK, (await _api.PutMonitoringPlanAsync(clinic.Admin, ward.Patient.PatientId!.Value, Plan)).StatusCode);
            await Eventually.UntilAsync(async () => (await _api.GetAsync(ward.Clinician, Url(PlanPath, ward, ""))).IsSuccessStatusCode,
                "the ward's plan to be projected");
        }


        var fhirObservation = new Dictionary<CareTeamClinic.Ward, string>
        {
            [a] = await FhirObservationIdAsync(a),
            [b] = await FhirObservationIdAsync(b),
        };
        // Reads before the acknowledgement: the worklist shows only open alerts, and acknowledging empties it.
        foreach (var (method, path) in endpoints.Where(e => e.Path != StreamPath).OrderBy(e => e.Method != "GET"))
        {
            var action = $"{method} {path}";
            var allowed = await CallAsync(a.Clinician, method, Url(path, a, fhirObservation[a]));
            Assert.True(allowed.Response.IsSuccessStatusCode, $"{action} answered {(int)allowed.Response.StatusCode} to its own clinician");
            var records = await RecordsOfAsync(clinic, allowed.CorrelationId, actor: a.Clinician.Username);
            AuditCompleteness.AssertComplete(action, await allowed.Response.Content.ReadAsStringAsync(), records);
            var record = Assert.Single(records);
            Assert.Equal(("allowed", action, a.Patient.PatientId.ToString(), a.Clinician.Username, "clinician"),
                (Text(record, "outcome"), Text(record, "action"), Text(record, "patientId"), Text(record, "actor"), Text(record, "actorRole")));

            if (path.Contains('{') || IsFhir(path))
            {
                // Another team's patient or alert: a 404, and a denied record naming whose data was asked for.
                var refused = await CallAsync(a.Clinician, method, Url(path, b, fhirObservation[b]));
                Assert.Equal(HttpStatusCode.NotFound, refused.Response.StatusCode);
                var denied = Assert.Single(await RecordsOfAsync(clinic, refused.CorrelationId, actor: a.Clinician.Username));
                Assert.Equal(("denied", action, b.Patient.PatientId.ToString()), (Text(denied, "outcome"), Text(denied, "action"), Text(denied, "patientId")));
            }
            else
            {
                // A list: the wrong role is refused, and that is recorded too.
                var refused = await CallAsync(b.Patient, method, path);
                Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);
                var denied = Assert.Single(await RecordsOfAsync(clinic, refused.CorrelationId, actor: b.Patient.Username));
                Assert.Equal(("denied", action, "patient"), (Text(denied, "outcome"), Text(denied, "action"), Text(denied, "actorRole")));
            }
        }

        // The live stream: each delivered batch is recorded with the alerts it carried.
        using var stream = await ClinicianStream.OpenAsync(system, a.Clinician);
        var observation = await _api.CheckInAsync(a.Patient, new { score = 10 });
        var delivered = (await stream.ReadUntilAsync(alert => Text(alert, "observationId") == observation.ToString()))[^1];
        await Eventually.UntilAsync(async () => (await AuditAsync(clinic, $"patientId={a.Patient.PatientId}&actor={a.Clinician.Username}"))
            .Any(r => Text(r, "action") == $"GET {StreamPath}" && r["resourceIds"]!.AsArray().Any(id => id!.GetValue<string>() == Text(delivered, "alertId"))),
            "the stream delivery's audit record");
    }

    [Fact]
    public async Task Forty_reads_at_once_each_leave_exactly_one_record_however_the_group_commits_split_them()
    {
        var clinic = await CareTeamClinic.CreateAsync(_api);
        var calls = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ =>
            CallAsync(clinic.A.Clinician, "GET", $"/api/patients/{clinic.A.Patient.PatientId}")));
        AssertNonEmpty.All(calls, call => Assert.Equal(HttpStatusCode.OK, call.Response.StatusCode));

        var expected = calls.Select(c => c.CorrelationId).ToHashSet();
        IReadOnlyList<JsonObject> trail = [];
        await Eventually.UntilAsync(async () =>
        {
            trail = await AuditAsync(clinic, $"actor={clinic.A.Clinician.Username}");
            return expected.IsSubsetOf(trail.Select(r => Text(r, "correlationId") ?? ""));
        }, "a record of every read");
        var perCall = trail.Where(r => expected.Contains(Text(r, "correlationId")!)).GroupBy(r => Text(r, "correlationId"));
        AssertNonEmpty.All(perCall, records => Assert.Single(records));
        Assert.Equal(40, perCall.Count());
    }

    [Fact]
    public async Task The_audit_trail_is_for_admins_and_has_no_way_to_change_it()
    {
        var clinician = await _api.LoginClinicianAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await _api.GetAsync(clinician, "/api/audit?actor=clinician1")).StatusCode);

        var admin = await _api.LoginAdminAsync();
        var unbounded = await _api.GetAsync(admin, "/api/audit");
        Assert.Equal(HttpStatusCode.BadRequest, unbounded.StatusCode);
        Assert.True((await HealthFlowApi.ProblemAsync(unbounded)).RootElement.GetProperty("errors").TryGetProperty("patientId", out _));
        foreach (var method in new[] { HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch, HttpMethod.Post })
        {
            var change = await _api.SendAsync(admin, method, "/api/audit", new { });
            Assert.Equal(HttpStatusCode.MethodNotAllowed, change.StatusCode);
        }
    }

    private async Task<IReadOnlyList<(string Method, string Path)>> PatientDataEndpointsAsync()
    {
        var endpoints = new List<(string, string)>();
        foreach (var service in ApisServingPatientData)
        {
            using var client = new HttpClient { BaseAddress = system.App.GetEndpoint(service, "http") };
            var document = (await client.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
            foreach (var (path, item) in document["paths"]!.AsObject())
            {
                foreach (var (method, operation) in item!.AsObject())
                {
                    if (operation?["tags"]?.AsArray().Any(t => t!.GetValue<string>() == PatientDataTag) == true)
                    {
                        endpoints.Add((method.ToUpperInvariant(), path.Length > 1 ? path.TrimEnd('/') : path));
                    }
                }
            }
        }

        return endpoints;
    }

    private static bool IsFhir(string path) => path.StartsWith("/fhir/", StringComparison.Ordinal);

    /// <summary>
    /// The template with one ward's ids in it. JSON lists read every status (an acknowledged alert still counts);
    /// FHIR searches name the patient (`patient=`), and a FHIR Observation id is the ward's first.
    /// </summary>
    private static string Url(string path, CareTeamClinic.Ward ward, string fhirObservationId)
    {
        var url = path
            .Replace("{patientId}", ward.Patient.PatientId.ToString(), StringComparison.Ordinal)
            .Replace("{observationId}", ward.ObservationId.ToString(), StringComparison.Ordinal)
            .Replace("{alertId}", ward.AlertId.ToString(), StringComparison.Ordinal)
            .Replace("{id}", fhirObservationId, StringComparison.Ordinal);
        return IsFhir(path)
            ? path.Contains('{') ? url : $"{url}?patient={ward.Patient.PatientId}"
            : url;
    }

    private async Task<string> FhirObservationIdAsync(CareTeamClinic.Ward ward)
    {
        var bundle = await _api.GetJsonAsync(ward.Clinician, $"/fhir/r4/Observation?patient={ward.Patient.PatientId}");
        return bundle["entry"]!.AsArray()[0]!["resource"]!["id"]!.GetValue<string>();
    }

    private async Task<(HttpResponseMessage Response, string CorrelationId)> CallAsync(HealthFlowApi.Session session, string method, string path)
    {
        var correlationId = "audit-" + Guid.NewGuid().ToString("N");
        // Every status, so an alert list is not empty once the acknowledgement has run (an empty page carries no patient data).
        var response = method == "GET"
            ? await _api.SendAsync(session, HttpMethod.Get, path.Contains('?') ? path : path + "?status=all", null, correlationId)
            : await _api.SendAsync(session, new HttpMethod(method), path, path.EndsWith("/monitoring-plan", StringComparison.Ordinal) ? Plan : new { }, correlationId);
        return (response, correlationId);
    }

    /// <summary>The records of one call: waits for the first, then reads again so a second one would be seen.</summary>
    private async Task<IReadOnlyList<JsonObject>> RecordsOfAsync(CareTeamClinic clinic, string correlationId, string actor)
    {
        try
        {
            await Eventually.UntilAsync(async () => (await AuditAsync(clinic, $"actor={actor}")).Any(r => Text(r, "correlationId") == correlationId),
                $"the audit record of {correlationId}");
        }
        catch (TimeoutException e)
        {
            var trail = await AuditAsync(clinic, $"actor={actor}");
            throw new TimeoutException($"{e.Message} The trail of {actor} holds {trail.Count}: {string.Join("; ", trail.Select(r => r.ToJsonString()))}", e);
        }

        return [.. (await AuditAsync(clinic, $"actor={actor}")).Where(r => Text(r, "correlationId") == correlationId)];
    }

    private async Task<IReadOnlyList<JsonObject>> AuditAsync(CareTeamClinic clinic, string query)
    {
        var page = await _api.GetJsonAsync(clinic.Admin, $"/api/audit?{query}&limit=100");
        return [.. page["items"]!.AsArray().Select(i => i!.AsObject())];
    }

    private static string? Text(JsonObject item, string name) => item[name]?.GetValue<string>();
}
