using System.Net;
using HealthFlow.Api.Tests.Infrastructure;

namespace HealthFlow.Api.Tests.Queries;

/// <summary>query-api alone, with tokens auth-api issued: who may read what, and the shape of an empty answer.</summary>
[Collection(ApiSystemCollection.Name)]
public sealed class QueryApiTests(ApiSystem system) : IDisposable
{
    private readonly HealthFlowApi _auth = new(ApiSystem.CreateClient(system.AuthApi));
    private readonly HealthFlowApi _queries = new(ApiSystem.CreateClient(system.QueryApi));

    [Fact]
    public async Task A_patient_reads_a_page_of_their_own_observations()
    {
        var patient = await _auth.RegisterPatientAsync();

        var page = await _queries.GetJsonAsync(patient, $"/api/patients/{patient.PatientId}/observations");

        Assert.NotNull(page["items"]!.AsArray());
    }

    [Theory]
    [InlineData("/api/alerts")]
    [InlineData("/api/patients")]
    [InlineData("/api/audit")]
    [InlineData("/api/worklist")]
    public async Task A_list_without_a_token_is_a_401_problem(string path)
    {
        var response = await _queries.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await HealthFlowApi.ProblemAsync(response);
    }

    [Fact]
    public async Task The_audit_trail_is_an_admins_to_read_and_a_clinician_gets_a_403_problem()
    {
        var patient = await _auth.RegisterPatientAsync();
        var credentials = await _auth.CreateClinicianAsync();
        var clinician = await _auth.LoginAsync(credentials.Username, credentials.Password);

        var refused = await _queries.GetAsync(clinician, $"/api/audit?patientId={patient.PatientId}");
        var answered = await _queries.GetJsonAsync(await _auth.LoginAdminAsync(), $"/api/audit?patientId={patient.PatientId}");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await HealthFlowApi.ProblemAsync(refused);
        Assert.NotNull(answered["items"]!.AsArray());
    }

    [Fact]
    public async Task Reading_the_audit_trail_by_neither_patient_nor_actor_is_a_400_naming_patientId()
    {
        var response = await _queries.GetAsync(await _auth.LoginAdminAsync(), "/api/audit");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await HealthFlowApi.ProblemAsync(response)).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("patientId", out _), errors.ToString());
    }

    [Fact]
    public async Task A_clinician_outside_every_care_team_finds_no_patient_and_an_empty_alert_list()
    {
        var patient = await _auth.RegisterPatientAsync();
        var credentials = await _auth.CreateClinicianAsync();
        var clinician = await _auth.LoginAsync(credentials.Username, credentials.Password);

        var record = await _queries.GetAsync(clinician, $"/api/patients/{patient.PatientId}");
        var alerts = await _queries.GetJsonAsync(clinician, "/api/alerts?status=all");

        Assert.Equal(HttpStatusCode.NotFound, record.StatusCode);
        await HealthFlowApi.ProblemAsync(record);
        Assert.Empty(alerts["items"]!.AsArray());
    }

    [Fact]
    public async Task The_FHIR_capability_statement_is_served_as_FHIR_JSON()
    {
        var response = await _queries.Http.GetAsync("/fhir/r4/metadata");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"CapabilityStatement\"", await response.Content.ReadAsStringAsync());
    }

    public void Dispose()
    {
        _auth.Http.Dispose();
        _queries.Http.Dispose();
    }
}
