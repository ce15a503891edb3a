using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthFlow.EndToEnd.Tests.Faults;
using Xunit.Abstractions;

namespace HealthFlow.EndToEnd.Tests.Rehearsal;

/// <summary>
/// Run locally as deployed: the services from their publish output, each with exactly the settings of its task
/// definition in the synthesized default template (plus what the platform supplies, <see cref="LocalPlatform"/>),
/// against a LocalAws that allows each service only its task role's access.
/// </summary>
[Collection(RehearsalCollection.Name)]
public sealed class DeployRehearsalTests(RehearsalFixture rehearsal, ITestOutputHelper output)
{
    /// <summary>The nginx web apps: a task of their own, not a .NET service, and not on the API path.</summary>
    private const string WebTask = "web";

    [Fact]
    public void Every_task_definition_but_the_web_apps_is_a_rehearsed_dotnet_service()
    {
        Assert.Equal(
            [.. RehearsalFixture.Projects.Keys.Where(s => s != RehearsalFixture.Gateway).Append(WebTask).Order()],
            [.. rehearsal.Tasks.Keys.Order()]);
    }

    [Fact]
    public async Task The_services_started_as_their_task_definitions_say_pass_the_smoke_through_the_gateway()
    {
        foreach (var (step, took) in rehearsal.PreparationTimes)
        {
            output.WriteLine($"{step}: {took.TotalSeconds:F1} s");
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        await using var system = await DeployRehearsal.StartAsync(rehearsal, rehearsal.Tasks);
        output.WriteLine($"the five services and the gateway healthy after {started.Elapsed.TotalSeconds:F1} s");
        await SeedClinicianAsync();
        using var http = new HttpClient { BaseAddress = system.GatewayUrl, Timeout = TimeSpan.FromSeconds(30) };
        var api = new HealthFlowApi(http);

        var patient = await api.RegisterPatientAsync();
        var clinician = await api.LoginAsync(HealthFlowApi.DemoClinician, HealthFlowApi.DemoClinicianPassword);

        // On AWS no team is seeded and new patients join none: an admin puts the clinician and the patient in one.
        var admin = await api.LoginAdminAsync();
        var team = await CareTeamClinic.CreateTeamAsync(api, admin, "Rehearsal ward");
        Assert.Equal(HttpStatusCode.NoContent, (await api.PostAsync(admin, $"/api/care-teams/{team}/clinicians", new { clinicianId = HealthFlowApi.DemoClinician })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.PostAsync(admin, $"/api/care-teams/{team}/patients", new { patientId = patient.PatientId })).StatusCode);
        await Eventually.UntilAsync(async () => (await api.GetAsync(clinician, $"/api/patients/{patient.PatientId}")).IsSuccessStatusCode,
            "the clinician to see the patient of their team");

        // The clinician's live inbox is open before the check-in, as in the clinician app.
        using var stream = await OpenAlertStreamAsync(api, clinician);
        var observationId = await api.CheckInAsync(patient, new { score = 10 });

        var raised = await stream.NextAsync(a => (string?)a["observationId"] == observationId.ToString());
        Assert.Equal(patient.PatientId.ToString(), (string?)raised["patientId"]);
        Assert.Equal(patient.DisplayName, (string?)raised["patientName"]);
        var alertId = (string)raised["alertId"]!;

        var acknowledged = await api.PostAsync(clinician, $"/api/alerts/{alertId}/acknowledge", new { note = "Called the patient." });
        Assert.Equal(HttpStatusCode.Accepted, acknowledged.StatusCode);
        var changed = await stream.NextAsync(a => (string?)a["alertId"] == alertId && (string?)a["status"] == "acknowledged");
        Assert.Equal(HealthFlowApi.DemoClinician, (string?)changed["acknowledgedBy"]);
    }

    [Fact]
    public async Task A_task_definition_without_a_setting_its_service_needs_fails_the_rehearsal_with_the_reason()
    {
        // command-api cannot find auth-api's keys without Jwt__JwksUrl: it must refuse to start, not serve 401s.
        var tasks = new Dictionary<string, TaskSettings>(rehearsal.Tasks) { ["command-api"] = rehearsal.Tasks["command-api"].Without("Jwt__JwksUrl") };

        var failure = await Assert.ThrowsAsync<ServiceFailedException>(() => DeployRehearsal.StartAsync(rehearsal, tasks));
        output.WriteLine(failure.Message);

        Assert.Contains("command-api exited", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Set Jwt:JwksUrl or Jwt:Authority", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("query-api", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>The operator's one-off auth-api task that creates the clinician account, then stops.</summary>
    private Task SeedClinicianAsync() =>
        DeployRehearsal.RunOneOffAsync(rehearsal, rehearsal.Tasks["auth-api"], new Dictionary<string, string> { ["Auth__SeedDemoClinician"] = "true" }, async authApi =>
        {
            using var http = new HttpClient { BaseAddress = authApi };
            using var login = await http.PostAsJsonAsync("/api/auth/login", new { username = HealthFlowApi.DemoClinician, password = HealthFlowApi.DemoClinicianPassword });
            using var admin = await http.PostAsJsonAsync("/api/auth/login", new { username = CareTeamClinic.DemoAdmin, password = CareTeamClinic.DemoAdminPassword });
            return login.StatusCode == HttpStatusCode.OK && admin.StatusCode == HttpStatusCode.OK;
        });

    private static async Task<AlertStream> OpenAlertStreamAsync(HealthFlowApi api, HealthFlowApi.Session clinician)
    {
        var issued = await api.PostAsync(clinician, "/api/alerts/stream-ticket", null);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var ticket = (await issued.Content.ReadFromJsonAsync<JsonObject>())!["ticket"]!.GetValue<string>();

        var http = new HttpClient { BaseAddress = api.Http.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/alerts/stream?ticket={ticket}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new AlertStream(http, response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    private sealed class AlertStream(HttpClient http, HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        /// <summary>The next alert on the stream that matches; the stream's other events are skipped.</summary>
        public async Task<JsonObject> NextAsync(Func<JsonObject, bool> match)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("The alert stream closed.");
                if (line.StartsWith("data:", StringComparison.Ordinal) && JsonNode.Parse(line[5..]) is JsonObject alert && match(alert))
                {
                    return alert;
                }
            }
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
            http.Dispose();
        }
    }
}
