using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace HealthFlow.EndToEnd.Tests;

[Collection(AppHostCollection.Name)]
public sealed class ValidationTests(AppHostFixture system) : IDisposable
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);

    public static TheoryData<string, string> InvalidCheckIns => new()
    {
        { """{"score": 11}""", "score" },
        { """{"score": 0}""", "score" },
        { """{"score": 7.5}""", "score" },
        { """{"score": "7"}""", "score" },
        { """{"score": true}""", "score" },
        { """{"heartRate": 400}""", "heartRate" },
        { """{"oxygenSaturation": 101}""", "oxygenSaturation" },
        { """{"temperature": "hot"}""", "temperature" },
        { """{"consciousness": "asleep"}""", "consciousness" },
        { """{"onSupplementalOxygen": "yes"}""", "onSupplementalOxygen" },
        { """{"score": 5, "measuredAt": "2999-01-01T00:00:00Z"}""", "measuredAt" },
        { """{"score": 5, "patient_id": "someone-else"}""", "patient_id" },
        { """{"note": "only a note"}""", "measurements" },
        { """{"score": 5, "note": "a lone surrogate \udfff"}""", "note" },
        { """{}""", "measurements" },
    };

    [Theory]
    [MemberData(nameof(InvalidCheckIns))]
    public async Task Invalid_check_in_is_rejected_with_a_problem_naming_the_field(string body, string field)
    {
        var patient = await _api.RegisterPatientAsync();

        var response = await PostRawAsync(patient, body, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await HealthFlowApi.ProblemAsync(response)).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {problem}");
    }

    [Fact]
    public async Task Rejected_check_ins_store_nothing()
    {
        var patient = await _api.RegisterPatientAsync();
        foreach (var (body, _) in InvalidCheckIns.Select(row => ((string)row[0], (string)row[1])))
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await PostRawAsync(patient, body, "application/json")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await PostRawAsync(patient, "score=9", "application/x-www-form-urlencoded")).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await PostRawAsync(patient, $$"""{"score": 9, "note": "{{new string('x', 70_000)}}"}""", "application/json")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostRawAsync(patient, "{\"score\": 9", "application/json")).StatusCode);

        await _quiescence.WaitAsync();
        Assert.Empty(await _api.ObservationsAsync(patient, patient.PatientId!.Value));
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
        var clinician = await _api.LoginClinicianAsync();
        var response = await _api.PostAsync(clinician, $"/api/alerts/{Guid.NewGuid()}/acknowledge", new { });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await HealthFlowApi.ProblemAsync(response);
    }

    private async Task<HttpResponseMessage> PostRawAsync(HealthFlowApi.Session session, string body, string contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/observations")
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.AccessToken);
        return await _api.Http.SendAsync(request);
    }

    public void Dispose() => _quiescence.Dispose();
}
