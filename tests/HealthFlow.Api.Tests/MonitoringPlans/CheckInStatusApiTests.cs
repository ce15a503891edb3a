using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthFlow.Api.Tests.Infrastructure;
using HealthFlow.Domain;

namespace HealthFlow.Api.Tests.MonitoringPlans;

/// <summary>
/// GET /api/patients/{patientId}/check-in-status on query-api: plans set through command-api and check-ins submitted
/// there, carried into the patients read model by the projections' code (StreamProjector).
/// </summary>
[Collection(ApiSystemCollection.Name)]
public sealed class CheckInStatusApiTests(ApiSystem system) : IDisposable
{
    private readonly HealthFlowApi _auth = new(ApiSystem.CreateClient(system.AuthApi));
    private readonly HealthFlowApi _commands = new(ApiSystem.CreateClient(system.CommandApi));
    private readonly HealthFlowApi _queries = new(ApiSystem.CreateClient(system.QueryApi));
    private readonly HealthFlowApi _gateway = new(system.CreateGatewayClient());
    private readonly StreamProjector _projector = system.CreateStreamProjector();

    private static string StatusPath(Guid? patientId) => $"/api/patients/{patientId}/check-in-status";

    [Fact]
    public async Task A_patient_reads_the_first_window_of_their_plan_and_after_a_check_in_the_one_after_it()
    {
        var patient = await _auth.RegisterPatientAsync();
        var setAt = await SetPlanAsync(patient, new { everyHours = 4, timeZone = "Europe/London", graceMinutes = 30 });

        var before = await _gateway.GetJsonAsync(patient, StatusPath(patient.PatientId));
        var observationId = await _commands.CheckInAsync(patient, new { score = 3 });
        await _projector.ProjectAsync(StreamId.ForObservation(observationId));
        var after = await _gateway.GetJsonAsync(patient, StatusPath(patient.PatientId));

        Assert.Equal((setAt.AddHours(4), setAt.AddHours(4).AddMinutes(30), false, null, 1, "Europe/London"),
            (Time(before, "dueAt"), Time(before, "graceEndsAt"), before["overdue"]!.GetValue<bool>(), before["lastCheckInAt"], before["planVersion"]!.GetValue<int>(), before["timeZone"]!.GetValue<string>()));
        Assert.Equal((setAt.AddHours(8), false), (Time(after, "dueAt"), after["overdue"]!.GetValue<bool>()));
        var lastCheckIn = Time(after, "lastCheckInAt");
        Assert.InRange(lastCheckIn, setAt, Time(after, "asOf"));
    }

    [Fact]
    public async Task A_check_in_projected_again_or_an_older_one_does_not_move_the_last_check_in_back()
    {
        var patient = await _auth.RegisterPatientAsync();
        await SetPlanAsync(patient, new { everyHours = 4, timeZone = "Europe/London" });
        var first = await _commands.CheckInAsync(patient, new { score = 3 });
        var second = await _commands.CheckInAsync(patient, new { score = 4 });

        await _projector.ProjectAsync(StreamId.ForObservation(second));
        var latest = Time(await _queries.GetJsonAsync(patient, StatusPath(patient.PatientId)), "lastCheckInAt");
        await _projector.ProjectAsync(StreamId.ForObservation(first));
        await _projector.ProjectAsync(StreamId.ForObservation(second));

        Assert.Equal(latest, Time(await _queries.GetJsonAsync(patient, StatusPath(patient.PatientId)), "lastCheckInAt"));
    }

    [Fact]
    public async Task A_clinician_of_the_patients_care_team_reads_it_and_one_outside_it_gets_a_404_problem()
    {
        var (clinician, patients) = await new Wards(_auth, _commands, _projector).CreateAsync(1);
        await SetPlanAsync(patients[0], new { timesOfDay = new[] { "08:00" }, timeZone = "America/New_York", graceMinutes = 60 });
        var credentials = await _auth.CreateClinicianAsync();
        var other = await _auth.LoginAsync(credentials.Username, credentials.Password);

        var own = await _gateway.GetAsync(clinician, StatusPath(patients[0].PatientId));
        var outside = await _gateway.GetAsync(other, StatusPath(patients[0].PatientId));

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
        await HealthFlowApi.ProblemAsync(outside);
    }

    [Fact]
    public async Task A_plan_without_a_schedule_or_no_plan_at_all_is_a_404_problem_saying_no_check_in_is_due()
    {
        var withoutPlan = await _auth.RegisterPatientAsync();
        var withoutSchedule = await _auth.RegisterPatientAsync();
        await SetPlanAsync(withoutSchedule, schedule: null);

        var none = await _gateway.GetAsync(withoutPlan, StatusPath(withoutPlan.PatientId));
        var unscheduled = await _gateway.GetAsync(withoutSchedule, StatusPath(withoutSchedule.PatientId));

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (none.StatusCode, unscheduled.StatusCode));
        Assert.Contains("no check-in is due", (await HealthFlowApi.ProblemAsync(unscheduled)).RootElement.GetProperty("detail").GetString());
        await HealthFlowApi.ProblemAsync(none);
    }

    [Fact]
    public async Task Without_a_token_it_is_a_401_problem_and_an_admin_gets_a_403_problem()
    {
        var patient = await _auth.RegisterPatientAsync();

        var anonymous = await _gateway.Http.GetAsync(StatusPath(patient.PatientId));
        var admin = await _gateway.GetAsync(await _auth.LoginAdminAsync(), StatusPath(patient.PatientId));

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden), (anonymous.StatusCode, admin.StatusCode));
        await HealthFlowApi.ProblemAsync(anonymous);
        await HealthFlowApi.ProblemAsync(admin);
    }

    [Fact]
    public async Task Another_patients_status_is_a_404_problem_as_for_a_patient_who_does_not_exist()
    {
        var patient = await _auth.RegisterPatientAsync();
        var other = await _auth.RegisterPatientAsync();
        await SetPlanAsync(other, new { everyHours = 4, timeZone = "Europe/London" });

        var theirs = await _gateway.GetAsync(patient, StatusPath(other.PatientId));
        var malformed = await _gateway.GetAsync(patient, "/api/patients/not-a-guid/check-in-status");

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (theirs.StatusCode, malformed.StatusCode));
        await HealthFlowApi.ProblemAsync(theirs);
        await HealthFlowApi.ProblemAsync(malformed);
    }

    /// <summary>Sets a plan as an admin, projects the patient's stream, and answers the plan's SetAt.</summary>
    private async Task<DateTimeOffset> SetPlanAsync(HealthFlowApi.Session patient, object? schedule)
    {
        var response = await _commands.PutMonitoringPlanAsync(await _auth.LoginAdminAsync(), patient.PatientId!.Value,
            new { schedule, reason = "Heart failure: daily weights and vitals." });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _projector.ProjectAsync(StreamId.ForPatient(patient.PatientId.Value));
        return Time((await response.Content.ReadFromJsonAsync<JsonObject>())!, "setAt");
    }

    private static DateTimeOffset Time(JsonObject json, string name) => json[name]!.GetValue<DateTimeOffset>();

    public void Dispose()
    {
        _auth.Http.Dispose();
        _commands.Http.Dispose();
        _queries.Http.Dispose();
        _gateway.Http.Dispose();
        _projector.Dispose();
    }
}
