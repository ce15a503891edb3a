using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthFlow.Api.Tests.Infrastructure;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;

namespace HealthFlow.Api.Tests.Queries;

/// <summary>
/// GET /api/worklist on query-api, over alerts and care teams carried into the read models by the projections' code
/// (StreamProjector); teams are made and alerts acknowledged through command-api, as an admin and a clinician do.
/// </summary>
[Collection(ApiSystemCollection.Name)]
public sealed class WorklistTests(ApiSystem system) : IDisposable
{
    // The rule of a missed check-in's alert, which no rule raises yet: the worklist counts it by this name.
    private const string CheckInMissed = "check-in-missed";

    private readonly HealthFlowApi _auth = new(ApiSystem.CreateClient(system.AuthApi));
    private readonly HealthFlowApi _commands = new(ApiSystem.CreateClient(system.CommandApi));
    private readonly HealthFlowApi _queries = new(ApiSystem.CreateClient(system.QueryApi));
    private readonly StreamProjector _projector = system.CreateStreamProjector();

    private Wards Wards => new(_auth, _commands, _projector);

    [Fact]
    public async Task A_clinician_sees_one_row_per_patient_of_their_care_teams_with_open_alerts_and_nobody_elses()
    {
        var (clinician, mine) = await WardAsync(2);
        var (_, theirs) = await WardAsync(1);
        await RaiseAsync(mine[0], Severities.Medium, TimeSpan.FromMinutes(30));
        await RaiseAsync(mine[0], Severities.High, TimeSpan.FromMinutes(20));
        await RaiseAsync(theirs[0], Severities.High, TimeSpan.FromHours(2));

        var worklist = await _queries.GetJsonAsync(clinician, "/api/worklist");

        var row = Assert.Single(Rows(worklist));
        Assert.Equal(mine[0].PatientId.ToString(), Text(row, "patientId"));
        Assert.Equal(mine[0].DisplayName, Text(row, "patientName"));
        Assert.Equal(1, worklist["totalPatients"]!.GetValue<int>());
        Assert.True(worklist["complete"]!.GetValue<bool>());
        var another = await _queries.GetJsonAsync(clinician, $"/api/worklist?patientId={theirs[0].PatientId}");
        Assert.Empty(Rows(another));
    }

    [Fact]
    public async Task Rows_are_sorted_by_highest_open_severity_then_by_the_longest_wait()
    {
        var (clinician, patients) = await WardAsync(4);
        await RaiseAsync(patients[0], Severities.Medium, TimeSpan.FromHours(3));
        await RaiseAsync(patients[1], Severities.High, TimeSpan.FromMinutes(10));
        await RaiseAsync(patients[2], Severities.LowMedium, TimeSpan.FromHours(5));
        await RaiseAsync(patients[3], Severities.High, TimeSpan.FromHours(1));
        // A newer, lower alert does not lower the row, and its time does not shorten the row's wait.
        await RaiseAsync(patients[3], Severities.LowMedium, TimeSpan.FromMinutes(1));

        var rows = Rows(await _queries.GetJsonAsync(clinician, "/api/worklist"));

        Assert.Equal(
            [patients[3].PatientId, patients[1].PatientId, patients[0].PatientId, patients[2].PatientId],
            rows.Select(r => (Guid?)Guid.Parse(Text(r, "patientId")!)));
        Assert.Equal([Severities.High, Severities.High, Severities.Medium, Severities.LowMedium], rows.Select(r => Text(r, "highestSeverity")));
        var limited = await _queries.GetJsonAsync(clinician, "/api/worklist?limit=2");
        Assert.Equal([patients[3].PatientId, patients[1].PatientId], Rows(limited).Select(r => (Guid?)Guid.Parse(Text(r, "patientId")!)));
        Assert.Equal(4, limited["totalPatients"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_row_counts_open_alerts_escalations_and_missed_check_ins_and_trends_the_latest_two_NEWS2_totals()
    {
        var (clinician, patients) = await WardAsync(1);
        var patient = patients[0];
        var oldest = DateTimeOffset.UtcNow.AddHours(-3);
        var first = await RaiseAsync(patient, Severities.Medium, DateTimeOffset.UtcNow - oldest, news2: 5);
        var second = await RaiseAsync(patient, Severities.High, TimeSpan.FromHours(2), news2: 8);
        await RaiseAsync(patient, Severities.Medium, TimeSpan.FromHours(1), rule: CheckInMissed);
        await RaiseAsync(patient, Severities.Medium, TimeSpan.FromMinutes(30), news2: 6);
        await _projector.AppendAndProjectAsync(StreamId.ForAlert(second),
            new AlertEscalated(second, patient.PatientId!.Value, Severities.High, 1, DateTimeOffset.UtcNow.AddMinutes(-100), DateTimeOffset.UtcNow.AddMinutes(-100)));
        // The latest total may come from an acknowledged alert: the trend is the patient's, not only the open alerts'.
        var acknowledged = await RaiseAsync(patient, Severities.Medium, TimeSpan.FromMinutes(5), news2: 6);
        await AcknowledgeAsync(clinician, acknowledged);

        var row = Assert.Single(Rows(await _queries.GetJsonAsync(clinician, "/api/worklist")));
        var one = Assert.Single(Rows(await _queries.GetJsonAsync(clinician, $"/api/worklist?patientId={patient.PatientId}")));

        foreach (var answer in new[] { row, one })
        {
            Assert.Equal(4, answer["openAlerts"]!.GetValue<int>());
            Assert.Equal(Severities.High, Text(answer, "highestSeverity"));
            Assert.True(answer["escalated"]!.GetValue<bool>());
            Assert.Equal(1, answer["missedCheckIns"]!.GetValue<int>());
            Assert.Equal((6, 6, "same"), (answer["latestNews2"]!.GetValue<int>(), answer["previousNews2"]!.GetValue<int>(), Text(answer, "news2Trend")));
            Assert.Equal(oldest, answer["oldestOpenRaisedAt"]!.GetValue<DateTimeOffset>(), TimeSpan.FromSeconds(1));
        }

        await AcknowledgeAsync(clinician, first);
        var after = Assert.Single(Rows(await _queries.GetJsonAsync(clinician, "/api/worklist")));
        Assert.Equal(3, after["openAlerts"]!.GetValue<int>());
        Assert.True(after["oldestOpenRaisedAt"]!.GetValue<DateTimeOffset>() > oldest.AddMinutes(30));
    }

    [Fact]
    public async Task A_NEWS2_total_above_the_one_before_trends_up_and_a_single_total_has_no_trend()
    {
        var (clinician, patients) = await WardAsync(2);
        await RaiseAsync(patients[0], Severities.Medium, TimeSpan.FromHours(1), news2: 5);
        await RaiseAsync(patients[0], Severities.High, TimeSpan.FromMinutes(10), news2: 9);
        await RaiseAsync(patients[1], Severities.Medium, TimeSpan.FromMinutes(10), news2: 5);

        var rows = Rows(await _queries.GetJsonAsync(clinician, "/api/worklist"));

        Assert.Equal((9, 5, "up"), (rows[0]["latestNews2"]!.GetValue<int>(), rows[0]["previousNews2"]!.GetValue<int>(), Text(rows[0], "news2Trend")));
        Assert.Equal(5, rows[1]["latestNews2"]!.GetValue<int>());
        Assert.Null(rows[1]["previousNews2"]);
        Assert.Null(rows[1]["news2Trend"]);
    }

    [Fact]
    public async Task Acknowledging_an_alert_takes_it_out_of_the_rows_count_and_a_patient_with_none_open_has_no_row()
    {
        var (clinician, patients) = await WardAsync(2);
        var a1 = await RaiseAsync(patients[0], Severities.High, TimeSpan.FromMinutes(40));
        await RaiseAsync(patients[0], Severities.Medium, TimeSpan.FromMinutes(20));
        var b1 = await RaiseAsync(patients[1], Severities.Medium, TimeSpan.FromMinutes(10));
        Assert.Equal(2, Rows(await _queries.GetJsonAsync(clinician, "/api/worklist")).Count);

        await AcknowledgeAsync(clinician, a1);
        await AcknowledgeAsync(clinician, b1);

        var row = Assert.Single(Rows(await _queries.GetJsonAsync(clinician, "/api/worklist")));
        Assert.Equal(patients[0].PatientId.ToString(), Text(row, "patientId"));
        Assert.Equal((1, Severities.Medium), (row["openAlerts"]!.GetValue<int>(), Text(row, "highestSeverity")));
        Assert.Empty(Rows(await _queries.GetJsonAsync(clinician, $"/api/worklist?patientId={patients[1].PatientId}")));
    }

    [Fact]
    public async Task Past_its_read_bound_the_worklist_says_it_is_incomplete_and_keeps_the_longest_waiting_alerts()
    {
        const int bound = 100;
        await using var bounded = await system.StartQueryApiAsync(new Dictionary<string, string?> { ["Worklist:MaxOpenAlertsRead"] = $"{bound}" });
        using var http = ApiSystem.CreateClient(bounded);
        var queries = new HealthFlowApi(http);
        var (clinician, patients) = await WardAsync(2);
        // Older than any other test's alerts, so they are the bound's first 100 of the shared open partition.
        var longAgo = TimeSpan.FromDays(30);
        foreach (var batch in Enumerable.Range(0, bound).Chunk(10))
        {
            await Task.WhenAll(batch.Select(i => RaiseAsync(patients[0], Severities.Medium, longAgo - TimeSpan.FromMinutes(i))));
        }

        await RaiseAsync(patients[1], Severities.High, TimeSpan.FromMinutes(1));

        var worklist = await queries.GetJsonAsync(clinician, "/api/worklist");

        Assert.False(worklist["complete"]!.GetValue<bool>());
        var row = Assert.Single(Rows(worklist));
        Assert.Equal((patients[0].PatientId.ToString(), bound), (Text(row, "patientId"), row["openAlerts"]!.GetValue<int>()));
        // One patient's row is read from that patient's alerts alone, so the newest patient is not out of reach.
        var newest = Assert.Single(Rows(await queries.GetJsonAsync(clinician, $"/api/worklist?patientId={patients[1].PatientId}")));
        Assert.Equal(Severities.High, Text(newest, "highestSeverity"));
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    public async Task A_limit_outside_1_to_100_is_a_400_problem_naming_limit(string query)
    {
        var (clinician, _) = await WardAsync(0);

        var response = await _queries.GetAsync(clinician, $"/api/worklist?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await HealthFlowApi.ProblemAsync(response)).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("limit", out _), errors.ToString());
    }

    [Fact]
    public async Task The_worklist_is_a_clinicians_and_a_patient_or_an_admin_gets_a_403_problem()
    {
        var patient = await _auth.RegisterPatientAsync();
        var admin = await _auth.LoginAdminAsync();

        foreach (var session in new[] { patient, admin })
        {
            var response = await _queries.GetAsync(session, "/api/worklist");
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            await HealthFlowApi.ProblemAsync(response);
        }
    }

    [Fact]
    public async Task The_worklist_is_described_in_the_OpenAPI_document_as_patient_data()
    {
        var document = JsonNode.Parse(await _queries.Http.GetStringAsync("/openapi/v1.json"))!;

        var operation = document["paths"]!["/api/worklist"]!["get"]!;
        Assert.Contains("Patient data", operation["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Contains(operation["parameters"]!.AsArray(), p => Text(p!.AsObject(), "name") == "limit");
    }

    public void Dispose()
    {
        _projector.Dispose();
        _auth.Http.Dispose();
        _commands.Http.Dispose();
        _queries.Http.Dispose();
    }

    private static List<JsonObject> Rows(JsonObject worklist) => [.. worklist["items"]!.AsArray().Select(i => i!.AsObject())];

    private static string? Text(JsonObject item, string name) => item[name]?.GetValue<string>();

    private Task<(HealthFlowApi.Session Clinician, HealthFlowApi.Session[] Patients)> WardAsync(int patients) => Wards.CreateAsync(patients, "Worklist");

    private Task<Guid> RaiseAsync(HealthFlowApi.Session patient, string severity, TimeSpan ago, int? news2 = null, string rule = AlertRules.News2) =>
        Wards.RaiseAsync(patient, severity, ago, news2, rule);

    /// <summary>The clinician acknowledges through command-api; the acknowledgement is projected.</summary>
    private async Task AcknowledgeAsync(HealthFlowApi.Session clinician, Guid alertId)
    {
        Assert.Equal(HttpStatusCode.Accepted, (await _commands.PostAsync(clinician, $"/api/alerts/{alertId}/acknowledge", new { note = "Seen in the worklist" })).StatusCode);
        await _projector.ProjectAsync(StreamId.ForAlert(alertId));
    }
}
