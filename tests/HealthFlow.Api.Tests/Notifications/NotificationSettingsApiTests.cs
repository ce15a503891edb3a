using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthFlow.Api.Tests.Infrastructure;

namespace HealthFlow.Api.Tests.Notifications;

/// <summary>
/// GET and PUT /api/clinicians/me/notification-settings through the gateway, with tokens auth-api issued: each
/// clinician reads and replaces their own settings only, bad input is a problem naming the field, and only clinicians
/// have settings.
/// </summary>
[Collection(ApiSystemCollection.Name)]
public sealed class NotificationSettingsApiTests(ApiSystem system) : IDisposable
{
    private const string Path = "/api/clinicians/me/notification-settings";

    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());

    [Fact]
    public async Task A_clinician_who_never_saved_settings_reads_no_address_no_events_and_not_on_call()
    {
        var credentials = await _api.CreateClinicianAsync();
        var clinician = await _api.LoginAsync(credentials.Username, credentials.Password);

        var settings = await _api.GetJsonAsync(clinician, Path);

        Assert.Equal(("", 0, false), (settings["email"]!.GetValue<string>(), settings["events"]!.AsArray().Count, settings["onCall"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task A_clinician_saves_settings_reads_them_back_and_another_clinician_still_has_their_own()
    {
        var first = await NewClinicianAsync();
        var second = await NewClinicianAsync();

        var saved = await _api.SendAsync(first, HttpMethod.Put, Path, new { email = "first@ward.example.org", events = new[] { "high-alert", "missed-check-in" }, onCall = true });

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var read = await _api.GetJsonAsync(first, Path);
        Assert.Equal("first@ward.example.org", read["email"]!.GetValue<string>());
        Assert.Equal(["high-alert", "missed-check-in"], read["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.True(read["onCall"]!.GetValue<bool>());
        Assert.Equal("", (await _api.GetJsonAsync(second, Path))["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_second_put_replaces_the_settings_whole()
    {
        var clinician = await NewClinicianAsync();
        await _api.SendAsync(clinician, HttpMethod.Put, Path, new { email = "on@ward.example.org", events = new[] { "high-alert" }, onCall = true });

        var replaced = await _api.SendAsync(clinician, HttpMethod.Put, Path, new { email = "off@ward.example.org", events = Array.Empty<string>(), onCall = false });

        var body = (await replaced.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(("off@ward.example.org", 0, false), (body["email"]!.GetValue<string>(), body["events"]!.AsArray().Count, body["onCall"]!.GetValue<bool>()));
        Assert.Equal("off@ward.example.org", (await _api.GetJsonAsync(clinician, Path))["email"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"events":["high-alert"],"onCall":true}""", "email")]
    [InlineData("""{"email":"not an address","events":["high-alert"],"onCall":true}""", "email")]
    [InlineData("""{"email":"Dr Who <who@ward.example.org>","events":[],"onCall":true}""", "email")]
    [InlineData("""{"email":"who@ward.example.org","events":["everything"],"onCall":true}""", "events")]
    [InlineData("""{"email":"who@ward.example.org","events":["high-alert","high-alert"],"onCall":true}""", "events")]
    [InlineData("""{"email":"who@ward.example.org","onCall":true}""", "events")]
    [InlineData("""{"email":"who@ward.example.org","events":[]}""", "onCall")]
    public async Task Bad_settings_are_a_400_problem_naming_the_field_and_leave_the_saved_ones_unchanged(string body, string field)
    {
        var clinician = await NewClinicianAsync();
        await _api.SendAsync(clinician, HttpMethod.Put, Path, new { email = "kept@ward.example.org", events = new[] { "escalation" }, onCall = true });

        using var request = new HttpRequestMessage(HttpMethod.Put, Path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", clinician.AccessToken);
        var response = await _api.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await HealthFlowApi.ProblemAsync(response)).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {problem}");
        Assert.Equal("kept@ward.example.org", (await _api.GetJsonAsync(clinician, Path))["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_patient_has_no_notification_settings_and_an_anonymous_caller_is_refused()
    {
        var patient = await _api.RegisterPatientAsync();

        var asPatient = await _api.GetAsync(patient, Path);
        var anonymous = await _api.Http.GetAsync(Path);

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized), (asPatient.StatusCode, anonymous.StatusCode));
    }

    private async Task<HealthFlowApi.Session> NewClinicianAsync()
    {
        var credentials = await _api.CreateClinicianAsync();
        return await _api.LoginAsync(credentials.Username, credentials.Password);
    }

    public void Dispose() => _api.Http.Dispose();
}
