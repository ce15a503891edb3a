using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using HealthFlow.Api.Tests.Infrastructure;

namespace HealthFlow.Api.Tests.Auth;

/// <summary>auth-api alone: registration, login, the keys it publishes, and who may create clinicians.</summary>
[Collection(ApiSystemCollection.Name)]
public sealed class AuthApiTests(ApiSystem system) : IDisposable
{
    private readonly HealthFlowApi _api = new(ApiSystem.CreateClient(system.AuthApi));

    [Fact]
    public async Task Registering_answers_201_with_the_new_patients_id_and_the_login_names_the_patient()
    {
        var username = "p" + Guid.NewGuid().ToString("N")[..12];
        var registered = await _api.Http.PostAsJsonAsync("/api/auth/register", new { username, password = "correct-horse-battery", displayName = "Ada Lovelace" });

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var patientId = (await registered.Content.ReadFromJsonAsync<JsonObject>())!["patientId"]!.GetValue<Guid>();
        var session = await _api.LoginAsync(username, "correct-horse-battery");
        Assert.Equal("patient", session.Role);
        Assert.Equal(patientId, session.PatientId);
        Assert.Equal("Ada Lovelace", session.DisplayName);
    }

    [Fact]
    public async Task An_access_token_is_ES256_signed_with_a_key_the_JWKS_publishes()
    {
        var patient = await _api.RegisterPatientAsync();

        var header = JsonNode.Parse(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(patient.AccessToken.Split('.')[0])))!;
        var keys = (await _api.Http.GetFromJsonAsync<JsonObject>("/.well-known/jwks.json"))!["keys"]!.AsArray();

        Assert.Equal("ES256", header["alg"]!.GetValue<string>());
        Assert.Contains(keys, key => key!["kid"]!.GetValue<string>() == header["kid"]!.GetValue<string>());
        AssertNonEmpty.All(keys, key => Assert.Null(key!["d"]));
    }

    [Fact]
    public async Task Only_an_admin_creates_clinicians_and_everyone_else_gets_a_401_or_403_problem()
    {
        var patient = await _api.RegisterPatientAsync();
        var request = new { username = "c" + Guid.NewGuid().ToString("N")[..12], password = "stethoscope-123", displayName = "Dr Who" };

        var anonymous = await _api.Http.PostAsJsonAsync("/api/auth/clinicians", request);
        var asPatient = await _api.PostAsync(patient, "/api/auth/clinicians", request);
        var asAdmin = await _api.PostAsync(await _api.LoginAdminAsync(), "/api/auth/clinicians", request);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        await HealthFlowApi.ProblemAsync(anonymous);
        Assert.Equal(HttpStatusCode.Forbidden, asPatient.StatusCode);
        await HealthFlowApi.ProblemAsync(asPatient);
        Assert.Equal(HttpStatusCode.Created, asAdmin.StatusCode);
        Assert.Equal("clinician", (await _api.LoginAsync(request.username, request.password)).Role);
    }

    [Fact]
    public async Task A_stream_ticket_is_issued_to_clinicians_only()
    {
        var patient = await _api.RegisterPatientAsync();
        var credentials = await _api.CreateClinicianAsync();
        var clinician = await _api.LoginAsync(credentials.Username, credentials.Password);

        var forPatient = await _api.PostAsync(patient, "/api/alerts/stream-ticket", null);
        var forClinician = await _api.PostAsync(clinician, "/api/alerts/stream-ticket", null);

        Assert.Equal(HttpStatusCode.Forbidden, forPatient.StatusCode);
        await HealthFlowApi.ProblemAsync(forPatient);
        Assert.True(forClinician.IsSuccessStatusCode, $"a clinician's stream ticket answered {(int)forClinician.StatusCode}");
    }

    public void Dispose() => _api.Http.Dispose();
}
