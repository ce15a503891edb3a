using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using HealthFlow.Api.Tests.Infrastructure;

namespace HealthFlow.Api.Tests.Commands;

/// <summary>command-api alone, with tokens auth-api issued: check-ins, their idempotency, care-team commands.</summary>
[Collection(ApiSystemCollection.Name)]
public sealed class CommandApiTests(ApiSystem system) : IDisposable
{
    private readonly HealthFlowApi _auth = new(ApiSystem.CreateClient(system.AuthApi));
    private readonly HealthFlowApi _commands = new(ApiSystem.CreateClient(system.CommandApi));

    [Fact]
    public async Task A_check_in_is_accepted_with_its_observation_id()
    {
        var patient = await _auth.RegisterPatientAsync();

        var response = await _commands.SubmitCheckInAsync(patient, new { score = 4, heartRate = 80 });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.NotEqual(Guid.Empty, accepted["observationId"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task A_retry_with_the_same_Idempotency_Key_returns_the_first_answer_and_another_body_is_a_conflict_problem()
    {
        var patient = await _auth.RegisterPatientAsync();
        var key = Guid.NewGuid().ToString();

        var first = await _commands.SubmitCheckInAsync(patient, new { score = 4 }, key);
        var retry = await _commands.SubmitCheckInAsync(patient, new { score = 4 }, key);
        var other = await _commands.SubmitCheckInAsync(patient, new { score = 8 }, key);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(
            (await first.Content.ReadFromJsonAsync<JsonObject>())!["observationId"]!.GetValue<Guid>(),
            (await retry.Content.ReadFromJsonAsync<JsonObject>())!["observationId"]!.GetValue<Guid>());
        Assert.True((int)other.StatusCode is >= 400 and < 500, $"a reused key with another body answered {(int)other.StatusCode}");
        await HealthFlowApi.ProblemAsync(other);
    }

    [Fact]
    public async Task An_invalid_Idempotency_Key_is_a_400_naming_the_header()
    {
        var patient = await _auth.RegisterPatientAsync();

        var response = await _commands.SubmitCheckInAsync(patient, new { score = 4 }, new string('k', 256));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await HealthFlowApi.ProblemAsync(response)).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("Idempotency-Key", out _), errors.ToString());
    }

    [Fact]
    public async Task A_check_in_without_a_token_is_a_401_problem()
    {
        var response = await _commands.Http.PostAsync("/api/observations", new StringContent("""{"score": 4}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await HealthFlowApi.ProblemAsync(response);
    }

    [Fact]
    public async Task Only_an_admin_creates_a_care_team_and_a_nameless_one_is_a_400_naming_the_name()
    {
        var patient = await _auth.RegisterPatientAsync();
        var admin = await _auth.LoginAdminAsync();

        var asPatient = await _commands.PostAsync(patient, "/api/care-teams", new { name = "Ward 7" });
        var nameless = await _commands.PostAsync(admin, "/api/care-teams", new { name = "" });
        var created = await _commands.PostAsync(admin, "/api/care-teams", new { name = "Ward " + Guid.NewGuid().ToString("N")[..6] });

        Assert.Equal(HttpStatusCode.Forbidden, asPatient.StatusCode);
        await HealthFlowApi.ProblemAsync(asPatient);
        Assert.Equal(HttpStatusCode.BadRequest, nameless.StatusCode);
        var errors = (await HealthFlowApi.ProblemAsync(nameless)).RootElement.GetProperty("errors");
        Assert.True(errors.EnumerateObject().Any(e => e.Name.Equals("name", StringComparison.OrdinalIgnoreCase)), errors.ToString());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task Assigning_a_clinician_to_an_unknown_care_team_is_a_404_problem()
    {
        var admin = await _auth.LoginAdminAsync();

        var response = await _commands.PostAsync(admin, $"/api/care-teams/{Guid.NewGuid()}/clinicians", new { clinicianId = "nobody" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await HealthFlowApi.ProblemAsync(response);
    }

    public void Dispose()
    {
        _auth.Http.Dispose();
        _commands.Http.Dispose();
    }
}
