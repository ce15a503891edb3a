using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HealthFlow.ReadModels;
using HealthFlow.Domain;
using HealthFlow.Domain.CheckIns;
using HealthFlow.Domain.Events;

namespace HealthFlow.Cli.Api;

public sealed record LoginResult(string AccessToken, string TokenType, int ExpiresIn, string Role, Guid? PatientId, string DisplayName);

public sealed record ObservationAccepted(Guid ObservationId);

/// <summary>An alert of the live feed; <see cref="ObservationId"/> is null for a missed check-in.</summary>
public sealed record AlertSummary(Guid AlertId, Guid PatientId, string PatientName, Guid? ObservationId, string Severity, string Rule, string Status, DateTimeOffset RaisedAt);

public sealed record AlertPage(IReadOnlyList<AlertSummary> Items, string? NextCursor);

/// <summary>The outcome of one check-in: the HTTP status, and the observation id when it was accepted.</summary>
public readonly record struct CheckInOutcome(HttpStatusCode? Status, Guid? ObservationId, string? Error)
{
    public bool Accepted => Status == HttpStatusCode.Accepted && ObservationId is not null;

    public bool ServerError => Status is >= HttpStatusCode.InternalServerError;
}

/// <summary>The answer to a read: its status (null when none came) and how many items it carried (a page's items, or 1).</summary>
public readonly record struct ReadOutcome(HttpStatusCode? Status, int Items);

/// <summary>Thrown for an answer the API contract (each API's OpenAPI document) does not allow here.</summary>
public sealed class ApiException(string message) : Exception(message);

/// <summary>
/// The public HTTP API as a patient, a clinician or a load generator uses it, through the gateway.
/// One instance shares its connection pool across all callers; size it for the concurrency you need.
/// </summary>
public sealed class HealthFlowApiClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = DomainJson.Options;
    private readonly HttpClient _http;

    public HealthFlowApiClient(Uri gateway, int maxConnections = 64, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler) { BaseAddress = gateway, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
    }

    public Uri Gateway => _http.BaseAddress!;

    /// <summary>Registers a patient, waiting out the registration rate limit (429 + Retry-After); returns null when the username is taken (409).</summary>
    public async Task<Guid?> RegisterAsync(string username, string password, string displayName, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await _http.PostAsJsonAsync("/api/auth/register", new { username, password, displayName }, Json, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                return null;
            }

            if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < 10)
            {
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5), cancellationToken);
                continue;
            }

            await EnsureAsync(response, HttpStatusCode.Created, "register " + username, cancellationToken);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken);
            return body.GetProperty("patientId").GetGuid();
        }
    }

    /// <summary>Logs in, waiting out the login rate limit (429 + Retry-After) a few times.</summary>
    public async Task<LoginResult> LoginAsync(string username, string password, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await _http.PostAsJsonAsync("/api/auth/login", new { username, password }, Json, cancellationToken);
            if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < 5)
            {
                var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5);
                await Task.Delay(wait, cancellationToken);
                continue;
            }

            await EnsureAsync(response, HttpStatusCode.OK, "log in as " + username, cancellationToken);
            return await response.Content.ReadFromJsonAsync<LoginResult>(Json, cancellationToken)
                ?? throw new ApiException($"Login as {username} returned no body.");
        }
    }

    /// <summary>Registers the patient, or logs in if the username exists already (same password), and returns the session.</summary>
    public async Task<LoginResult> RegisterOrLoginAsync(string username, string password, string displayName, CancellationToken cancellationToken)
    {
        await RegisterAsync(username, password, displayName, cancellationToken);
        return await LoginAsync(username, password, cancellationToken);
    }

    /// <summary>POST /api/observations. Never throws for an HTTP or network failure: a load generator counts them.</summary>
    public async Task<CheckInOutcome> CheckInAsync(string accessToken, CheckInBody checkIn, string? idempotencyKey, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/observations")
        {
            Content = JsonContent.Create(checkIn, options: Json),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                return new CheckInOutcome(response.StatusCode, null, await ReadErrorAsync(response, cancellationToken));
            }

            var accepted = await response.Content.ReadFromJsonAsync<ObservationAccepted>(Json, cancellationToken);
            return new CheckInOutcome(response.StatusCode, accepted?.ObservationId, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new CheckInOutcome(null, null, ex.Message);
        }
    }

    /// <summary>GET /api/alerts (clinician): one page, newest first.</summary>
    public async Task<AlertPage> ListAlertsAsync(
        string accessToken, string status, int limit, string? cursor, CancellationToken cancellationToken, Guid? patientId = null)
    {
        var query = $"/api/alerts?status={status}&limit={limit}"
            + (patientId is { } id ? $"&patientId={id:D}" : string.Empty)
            + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor));
        using var request = Authorized(HttpMethod.Get, query, accessToken);
        using var response = await _http.SendAsync(request, cancellationToken);
        await EnsureAsync(response, HttpStatusCode.OK, "list alerts", cancellationToken);
        return await response.Content.ReadFromJsonAsync<AlertPage>(Json, cancellationToken) ?? new AlertPage([], null);
    }

    /// <summary>GET /api/patients/{id}: the patient's display name, or null while the patient is not (yet) in the read model.</summary>
    public async Task<string?> GetPatientNameAsync(string accessToken, Guid patientId, CancellationToken cancellationToken)
    {
        using var request = Authorized(HttpMethod.Get, $"/api/patients/{patientId:D}", accessToken);
        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureAsync(response, HttpStatusCode.OK, "read patient " + patientId, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken);
        return body.GetProperty("displayName").GetString();
    }

    /// <summary>GET /api/patients/{id}/observations: every page, newest first.</summary>
    public async Task<IReadOnlyList<CheckInView>> ListObservationsAsync(string accessToken, Guid patientId, int pageSize, CancellationToken cancellationToken)
    {
        var observations = new List<CheckInView>();
        string? cursor = null;
        do
        {
            var path = $"/api/patients/{patientId:D}/observations?limit={pageSize}" + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor));
            using var request = Authorized(HttpMethod.Get, path, accessToken);
            using var response = await _http.SendAsync(request, cancellationToken);
            await EnsureAsync(response, HttpStatusCode.OK, "list the observations of " + patientId, cancellationToken);
            var page = await response.Content.ReadFromJsonAsync<Page<CheckInView>>(Json, cancellationToken) ?? new Page<CheckInView>([], null);
            observations.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return observations;
    }

    /// <summary>Whether GET /api/patients/{id}/observations/{observationId} finds the observation yet (the projection has run).</summary>
    public async Task<bool> ObservationVisibleAsync(string accessToken, Guid patientId, Guid observationId, CancellationToken cancellationToken)
    {
        using var request = Authorized(HttpMethod.Get, $"/api/patients/{patientId:D}/observations/{observationId:D}", accessToken);
        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureAsync(response, HttpStatusCode.OK, "read observation " + observationId, cancellationToken);
        return true;
    }

    /// <summary>POST /api/alerts/{id}/acknowledge: the status, or null when no answer came. Never throws for an HTTP or network failure.</summary>
    public Task<HttpStatusCode?> AcknowledgeAsync(string accessToken, Guid alertId, string? note, CancellationToken cancellationToken) =>
        SendForStatusAsync(HttpMethod.Post, $"/api/alerts/{alertId:D}/acknowledge", accessToken, new { note }, cancellationToken);

    /// <summary>
    /// GET of any path (a patient, their observations, a FHIR resource, a list) with the given X-Correlation-Id, which the
    /// audit record of the answer carries. Never throws for an HTTP or network failure.
    /// </summary>
    public async Task<ReadOutcome> ReadAsync(string accessToken, string path, string correlationId, CancellationToken cancellationToken)
    {
        using var request = Authorized(HttpMethod.Get, path, accessToken);
        request.Headers.Add("X-Correlation-Id", correlationId);
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return new ReadOutcome(response.StatusCode, 0);
            }

            // A page says how many items it carried; any other answer is one resource.
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken);
            var items = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("items", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.GetArrayLength()
                : 1;
            return new ReadOutcome(response.StatusCode, items);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new ReadOutcome(null, 0);
        }
    }

    /// <summary>POST /api/care-teams (admin): the new team's id.</summary>
    public async Task<Guid> CreateCareTeamAsync(string adminToken, string name, CancellationToken cancellationToken)
    {
        using var request = Authorized(HttpMethod.Post, "/api/care-teams", adminToken);
        request.Content = JsonContent.Create(new { name }, options: Json);
        using var response = await _http.SendAsync(request, cancellationToken);
        await EnsureAsync(response, HttpStatusCode.Created, "create care team " + name, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken);
        return body.GetProperty("careTeamId").GetGuid();
    }

    /// <summary>POST (assign) or DELETE (remove) /api/care-teams/{id}/patients (admin): the status, or null when no answer came.</summary>
    public Task<HttpStatusCode?> MovePatientAsync(string adminToken, Guid careTeamId, Guid patientId, bool assign, CancellationToken cancellationToken) =>
        SendForStatusAsync(assign ? HttpMethod.Post : HttpMethod.Delete, $"/api/care-teams/{careTeamId:D}/patients", adminToken, new { patientId }, cancellationToken);

    /// <summary>GET /api/alerts/stream as a raw response; the caller reads the Server-Sent Events.</summary>
    public async Task<HttpResponseMessage> OpenAlertStreamAsync(string accessToken, string? lastEventId, CancellationToken cancellationToken)
    {
        using var request = Authorized(HttpMethod.Get, "/api/alerts/stream", accessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            await EnsureAsync(response, HttpStatusCode.OK, "open the alert stream", cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpStatusCode?> SendForStatusAsync(HttpMethod method, string path, string accessToken, object body, CancellationToken cancellationToken)
    {
        using var request = Authorized(method, path, accessToken);
        request.Content = JsonContent.Create(body, options: Json);
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            return response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    private static HttpRequestMessage Authorized(HttpMethod method, string path, string accessToken)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return request;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected, string action, CancellationToken cancellationToken)
    {
        if (response.StatusCode != expected)
        {
            throw new ApiException($"Could not {action}: {(int)response.StatusCode} {response.ReasonPhrase} {await ReadErrorAsync(response, cancellationToken)}".TrimEnd());
        }
    }

    private static async Task<string?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return text.Length <= 300 ? text : text[..300];
    }
}
