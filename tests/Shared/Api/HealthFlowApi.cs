using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HealthFlow.Testing;

/// <summary>The public HTTP API as a client sees it, through the gateway (or one API, where a test talks to it alone).</summary>
public sealed class HealthFlowApi(HttpClient http)
{
    public const string DemoClinician = "clinician1";
    public const string DemoClinicianPassword = "demo";
    public const string DemoAdmin = "admin1";
    public const string DemoAdminPassword = "demo";

    public HttpClient Http { get; } = http;

    public sealed record Session(string AccessToken, string Role, Guid? PatientId, string DisplayName, string Username);

    public async Task<Session> RegisterPatientAsync(string? displayName = null) =>
        (await RegisterPatientWithCredentialsAsync(displayName)).Session;

    /// <summary>A new patient, with the password too, for a test that signs them in to the patient app.</summary>
    public async Task<(Credentials Credentials, Session Session)> RegisterPatientWithCredentialsAsync(string? displayName = null)
    {
        var username = "p" + Guid.NewGuid().ToString("N")[..12];
        var password = "correct-horse-" + Guid.NewGuid().ToString("N")[..6];
        displayName ??= "Patient " + username[1..6].ToUpperInvariant();

        var registered = await Http.PostAsJsonAsync("/api/auth/register", new { username, password, displayName });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        return (new Credentials(username, password), await LoginAsync(username, password));
    }

    public async Task<Session> LoginAsync(string username, string password)
    {
        var response = await Http.PostAsJsonAsync("/api/auth/login", new { username, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return new Session(
            body["accessToken"]!.GetValue<string>(),
            body["role"]!.GetValue<string>(),
            body["patientId"] is { } id ? Guid.Parse(id.GetValue<string>()) : null,
            body["displayName"]!.GetValue<string>(),
            username);
    }

    // One admin login serves every test (the token lasts an hour), as a browser would; logging in per test would
    // trip auth-api's per-user login rate limit (Auth:LoginRateLimit:PermitLimit, 10 a minute per user).
    private static readonly SemaphoreSlim AdminLock = new(1, 1);
    private static readonly Dictionary<Uri, Session> AdminSessions = [];

    private Session? _clinician;

    public sealed record Credentials(string Username, string Password);

    /// <summary>
    /// This test's own clinician of the Demo ward, which every new patient joins: it sees every patient a test
    /// registers, as the seeded demo clinician does, but nothing another test does to a clinician (its logins, its
    /// sessions, what it acknowledges) can reach it. xunit makes a new test class, so a new api, per test.
    /// </summary>
    public async Task<Session> LoginClinicianAsync()
    {
        _clinician ??= (await CreateWardClinicianAsync()).Session;
        return _clinician;
    }

    /// <summary>A new clinician, assigned to the Demo ward by the admin, once the ward's patients are visible to it.</summary>
    public async Task<(Credentials Credentials, Session Session)> CreateWardClinicianAsync()
    {
        var admin = await LoginAdminAsync();
        var credentials = await CreateClinicianAsync();
        var assigned = await PostAsync(admin, $"/api/care-teams/{HealthFlow.Domain.CareTeams.DemoWard.Id}/clinicians", new { clinicianId = credentials.Username });
        Assert.Equal(HttpStatusCode.NoContent, assigned.StatusCode);

        // The assignment reaches the query side through the care-team projection: wait until a ward patient shows.
        var marker = await RegisterPatientAsync();
        var clinician = await LoginAsync(credentials.Username, credentials.Password);
        await Eventually.UntilAsync(
            async () => (await GetAsync(clinician, $"/api/patients/{marker.PatientId}")).IsSuccessStatusCode,
            $"the new clinician {credentials.Username} to see the Demo ward's patients");
        return (credentials, clinician);
    }

    /// <summary>A new clinician the admin created, in no care team: it may act as a clinician but sees no patient.</summary>
    public async Task<Credentials> CreateClinicianAsync()
    {
        var admin = await LoginAdminAsync();
        var credentials = new Credentials("c" + Guid.NewGuid().ToString("N")[..12], "stethoscope-" + Guid.NewGuid().ToString("N")[..6]);
        var created = await PostAsync(admin, "/api/auth/clinicians", new { username = credentials.Username, password = credentials.Password, displayName = "Dr " + credentials.Username });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return credentials;
    }

    public async Task<Session> LoginAdminAsync()
    {
        await AdminLock.WaitAsync();
        try
        {
            if (!AdminSessions.TryGetValue(Http.BaseAddress!, out var session))
            {
                AdminSessions[Http.BaseAddress!] = session = await LoginAsync(DemoAdmin, DemoAdminPassword);
            }

            return session;
        }
        finally
        {
            AdminLock.Release();
        }
    }

    public async Task<HttpResponseMessage> SubmitCheckInAsync(Session session, object body, string? idempotencyKey = null, string? traceparent = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/observations") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.AccessToken);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (traceparent is not null)
        {
            request.Headers.Add("traceparent", traceparent);
        }

        return await Http.SendAsync(request);
    }

    public async Task<Guid> CheckInAsync(Session session, object body)
    {
        var response = await SubmitCheckInAsync(session, body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return Guid.Parse(accepted["observationId"]!.GetValue<string>());
    }

    public async Task<HttpResponseMessage> GetAsync(Session session, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.AccessToken);
        return await Http.SendAsync(request);
    }

    public async Task<JsonObject> GetJsonAsync(Session session, string path)
    {
        var response = await GetAsync(session, path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public async Task<HttpResponseMessage> PostAsync(Session session, string path, object? body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.AccessToken);
        return await Http.SendAsync(request);
    }

    public async Task<HttpResponseMessage> SendAsync(Session session, HttpMethod method, string path, object? body = null, string? correlationId = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.AccessToken);
        if (correlationId is not null)
        {
            request.Headers.Add("X-Correlation-Id", correlationId);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>Sets the patient's monitoring plan; <paramref name="ifMatch"/> is sent as the If-Match header as given.</summary>
    public async Task<HttpResponseMessage> PutMonitoringPlanAsync(Session session, Guid patientId, object body, string? ifMatch = null, string? correlationId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/patients/{patientId}/monitoring-plan") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.AccessToken);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (correlationId is not null)
        {
            request.Headers.Add("X-Correlation-Id", correlationId);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>The patient's alerts, as a clinician lists them (every status).</summary>
    public async Task<IReadOnlyList<JsonObject>> AlertsForPatientAsync(Session clinician, Guid patientId, string status = "all")
    {
        var page = await GetJsonAsync(clinician, $"/api/alerts?status={status}&patientId={patientId}");
        return page["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
    }

    public async Task<IReadOnlyList<JsonObject>> ObservationsAsync(Session session, Guid patientId)
    {
        var page = await GetJsonAsync(session, $"/api/patients/{patientId}/observations");
        return page["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
    }

    public static async Task<JsonDocument> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
