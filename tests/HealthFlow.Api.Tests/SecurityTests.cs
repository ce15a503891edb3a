using System.Buffers.Text;
using System.Net.Http.Json;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using HealthFlow.Api.Tests.Infrastructure;

namespace HealthFlow.Api.Tests;

[Collection(ApiSystemCollection.Name)]
public sealed class SecurityTests(ApiSystem system)
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());

    [Fact]
    public async Task A_patient_cannot_read_another_patients_data_or_list_alerts()
    {
        var alice = await _api.RegisterPatientAsync();
        var bob = await _api.RegisterPatientAsync();
        var bobId = bob.PatientId!.Value;

        // Another patient's records do not exist for her (404, as for an unknown id: ids do not leak); lists are not hers to read.
        foreach (var path in new[] { $"/api/patients/{bobId}", $"/api/patients/{bobId}/observations", $"/api/patients/{bobId}/alerts" })
        {
            var response = await _api.GetAsync(alice, path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"GET {path} as another patient answered {(int)response.StatusCode}");
            await HealthFlowApi.ProblemAsync(response);
        }

        foreach (var path in new[] { "/api/alerts", "/api/patients" })
        {
            var response = await _api.GetAsync(alice, path);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"GET {path} as a patient answered {(int)response.StatusCode}");
            await HealthFlowApi.ProblemAsync(response);
        }

        var own = await _api.GetAsync(alice, $"/api/patients/{alice.PatientId}/observations");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task A_patient_cannot_acknowledge_alerts()
    {
        var patient = await _api.RegisterPatientAsync();
        var response = await _api.PostAsync(patient, $"/api/alerts/{Guid.NewGuid()}/acknowledge", new { });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_clinician_cannot_check_in_for_a_patient()
    {
        var credentials = await _api.CreateClinicianAsync();
        var clinician = await _api.LoginAsync(credentials.Username, credentials.Password);
        var response = await _api.SubmitCheckInAsync(clinician, new { score = 9 });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Forged_tokens_are_rejected()
    {
        var patient = await _api.RegisterPatientAsync();
        var victim = await _api.RegisterPatientAsync();
        var parts = patient.AccessToken.Split('.');

        // The payload changed to claim another patient and the clinician role, signature kept.
        var payload = JsonNode.Parse(Base64UrlDecode(parts[1]))!.AsObject();
        payload["patient_id"] = victim.PatientId.ToString();
        payload["role"] = "clinician";
        var tampered = $"{parts[0]}.{Base64UrlEncode(payload.ToJsonString())}.{parts[2]}";

        // alg "none", no signature.
        var header = JsonNode.Parse(Base64UrlDecode(parts[0]))!.AsObject();
        header["alg"] = "none";
        var unsigned = $"{Base64UrlEncode(header.ToJsonString())}.{parts[1]}.";

        foreach (var token in new[] { tampered, unsigned, "not-a-token" })
        {
            var forged = patient with { AccessToken = token };
            Assert.Equal(HttpStatusCode.Unauthorized, (await _api.GetAsync(forged, $"/api/patients/{victim.PatientId}/observations")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await _api.SubmitCheckInAsync(forged, new { score = 9 })).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await _api.GetAsync(forged, "/api/alerts")).StatusCode);
        }
    }

    [Fact]
    public async Task Requests_without_a_token_get_401_problem()
    {
        var response = await _api.Http.GetAsync("/api/alerts");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        var checkIn = await _api.Http.PostAsync("/api/observations", new StringContent("{\"score\":9}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, checkIn.StatusCode);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_user_get_the_same_401()
    {
        var patient = await _api.RegisterPatientAsync();

        var wrongPassword = await _api.Http.PostAsJsonAsync("/api/auth/login", new { username = patient.Username, password = "wrong-password" });
        var unknownUser = await _api.Http.PostAsJsonAsync("/api/auth/login", new { username = "nobody-" + Guid.NewGuid().ToString("N")[..8], password = "wrong-password" });

        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownUser.StatusCode);
        var first = (await HealthFlowApi.ProblemAsync(wrongPassword)).RootElement;
        var second = (await HealthFlowApi.ProblemAsync(unknownUser)).RootElement;
        Assert.Equal(first.GetProperty("title").GetString(), second.GetProperty("title").GetString());
        Assert.Equal(first.GetProperty("detail").GetString(), second.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_compatibility_login_alias_answers_like_login()
    {
        var clinician = await _api.CreateClinicianAsync();
        var response = await _api.Http.PostAsJsonAsync("/login", new { username = clinician.Username, password = clinician.Password, role = "clinician" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("clinician", body["role"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(body["accessToken"]!.GetValue<string>()));
    }

    private static string Base64UrlDecode(string value) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(value));

    private static string Base64UrlEncode(string value) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(value));
}
