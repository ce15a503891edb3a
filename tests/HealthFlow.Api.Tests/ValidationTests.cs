using System.Net;
using System.Net.Http.Json;
using HealthFlow.Api.Tests.Infrastructure;

namespace HealthFlow.Api.Tests;

/// <summary>
/// Refused input is a 4xx problem naming the field. That a refused check-in leaves nothing behind downstream is
/// tested end to end (HealthFlow.EndToEnd.Tests, ValidationTests).
/// </summary>
[Collection(ApiSystemCollection.Name)]
public sealed class ValidationTests(ApiSystem system)
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());

    public static TheoryData<string, string> InvalidCheckIns => Testing.InvalidCheckIns.WithTheirField;

    [Theory]
    [MemberData(nameof(InvalidCheckIns))]
    public async Task Invalid_check_in_is_rejected_with_a_problem_naming_the_field(string body, string field)
    {
        var patient = await _api.RegisterPatientAsync();

        var response = await Testing.InvalidCheckIns.PostRawAsync(_api, patient, body, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await HealthFlowApi.ProblemAsync(response)).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {problem}");
    }

    [Fact]
    public async Task Logging_in_with_a_5000_character_username_is_an_ordinary_401()
    {
        var response = await _api.Http.PostAsJsonAsync("/api/auth/login", new { username = new string('u', 5_000), password = "whatever-it-is" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Invalid_registration_names_the_field()
    {
        var response = await _api.Http.PostAsJsonAsync("/api/auth/register", new { username = "x", password = "short", displayName = "" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await HealthFlowApi.ProblemAsync(response)).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("username", out _));
        Assert.True(errors.TryGetProperty("password", out _));
    }

    [Fact]
    public async Task Registering_a_taken_username_is_a_conflict()
    {
        var patient = await _api.RegisterPatientAsync();
        var response = await _api.Http.PostAsJsonAsync("/api/auth/register", new { username = patient.Username, password = "another-password-1", displayName = "Someone" });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task Acknowledging_an_unknown_alert_is_not_found()
    {
        var credentials = await _api.CreateClinicianAsync();
        var clinician = await _api.LoginAsync(credentials.Username, credentials.Password);
        var response = await _api.PostAsync(clinician, $"/api/alerts/{Guid.NewGuid()}/acknowledge", new { });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await HealthFlowApi.ProblemAsync(response);
    }
}
