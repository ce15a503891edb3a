using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Microsoft.Extensions.DependencyInjection;

namespace HealthFlow.EventBridge;

/// <summary>
/// A small typed EventBridge client over <see cref="HttpClient"/>, speaking the JSON 1.1 protocol and
/// signing every request with SigV4 (AWSSDK.EventBridge is not available to this project).
/// </summary>
public sealed class EventBridgeClient : IDisposable
{
    private const string TargetPrefix = "AWSEvents.";
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/x-amz-json-1.1");

    internal static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = true,
    };

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>
    /// Uses an <see cref="HttpClient"/> whose pipeline already signs (see
    /// <see cref="CreateSigningHandler"/>) and whose <see cref="HttpClient.BaseAddress"/> is the endpoint.
    /// </summary>
    [ActivatorUtilitiesConstructor]
    public EventBridgeClient(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        if (httpClient.BaseAddress is null)
            throw new ArgumentException("The HttpClient needs a BaseAddress (the EventBridge endpoint).", nameof(httpClient));
        _http = httpClient;
    }

    /// <summary>Talks to an explicit endpoint, region and identity (tests, tools).</summary>
    public EventBridgeClient(Uri endpoint, string region, AWSCredentials credentials)
        : this(new EventBridgeConnection(endpoint, RegionEndpoint.GetBySystemName(region), credentials))
    {
    }

    /// <summary>Resolves endpoint, region and credentials from the environment, as the AWS SDKs do.</summary>
    public EventBridgeClient()
        : this(EventBridgeConnection.Resolve())
    {
    }

    public EventBridgeClient(EventBridgeConnection connection)
    {
        _http = new HttpClient(CreateSigningHandler(connection, new SocketsHttpHandler { AllowAutoRedirect = false }))
        {
            BaseAddress = connection.Endpoint,
        };
        _ownsHttp = true;
    }

    /// <summary>The SigV4 handler for <paramref name="connection"/>, sending through <paramref name="transport"/>.</summary>
    public static HttpMessageHandler CreateSigningHandler(EventBridgeConnection connection, HttpMessageHandler transport) =>
        new SigV4SigningHandler(
            new AWSSigV4Parameters
            {
                Credentials = connection.Credentials,
                Region = connection.Region,
                Service = EventBridgeConnection.SigningService,
            },
            transport);

    public Task<CreateEventBusResponse> CreateEventBusAsync(CreateEventBusRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<CreateEventBusRequest, CreateEventBusResponse>("CreateEventBus", request, cancellationToken);

    public Task<DescribeEventBusResponse> DescribeEventBusAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync<NameRequest, DescribeEventBusResponse>("DescribeEventBus", new NameRequest(name), cancellationToken);

    public Task<PutRuleResponse> PutRuleAsync(PutRuleRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<PutRuleRequest, PutRuleResponse>("PutRule", request, cancellationToken);

    public Task<PutTargetsResponse> PutTargetsAsync(PutTargetsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<PutTargetsRequest, PutTargetsResponse>("PutTargets", request, cancellationToken);

    public Task<RemoveTargetsResponse> RemoveTargetsAsync(RemoveTargetsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<RemoveTargetsRequest, RemoveTargetsResponse>("RemoveTargets", request, cancellationToken);

    public Task DeleteRuleAsync(DeleteRuleRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<DeleteRuleRequest, JsonElement>("DeleteRule", request, cancellationToken);

    public Task<ListRulesResponse> ListRulesAsync(ListRulesRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<ListRulesRequest, ListRulesResponse>("ListRules", request, cancellationToken);

    public Task<ListTargetsByRuleResponse> ListTargetsByRuleAsync(ListTargetsByRuleRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<ListTargetsByRuleRequest, ListTargetsByRuleResponse>("ListTargetsByRule", request, cancellationToken);

    /// <summary>
    /// Publishes up to 10 entries. Partial failure is not an exception: check
    /// <see cref="PutEventsResponse.FailedEntryCount"/> and the per-entry results (in request order).
    /// </summary>
    public Task<PutEventsResponse> PutEventsAsync(IReadOnlyList<PutEventsRequestEntry> entries, CancellationToken cancellationToken = default) =>
        SendAsync<PutEventsRequest, PutEventsResponse>("PutEvents", new PutEventsRequest(entries), cancellationToken);

    /// <summary>Whether <paramref name="eventJson"/> (a full event envelope) matches <paramref name="eventPattern"/>.</summary>
    public async Task<bool> TestEventPatternAsync(string eventPattern, string eventJson, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync<TestEventPatternRequest, TestEventPatternResponse>(
            "TestEventPattern", new TestEventPatternRequest(eventPattern, eventJson), cancellationToken).ConfigureAwait(false);
        return response.Result;
    }

    private async Task<TResponse> SendAsync<TRequest, TResponse>(string operation, TRequest body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, string.Empty);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", TargetPrefix + operation);
        request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, Json));
        request.Content.Headers.ContentType = JsonContentType;

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var payload = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw ToException(response, payload);
        if (payload.Length == 0)
            payload = "{}"u8.ToArray();
        return JsonSerializer.Deserialize<TResponse>(payload, Json)
            ?? throw new EventBridgeException("InvalidResponse", $"{operation} returned no body.", response.StatusCode, RequestId(response));
    }

    private static EventBridgeException ToException(HttpResponseMessage response, byte[] payload)
    {
        string? code = null;
        string? message = null;
        try
        {
            using var document = JsonDocument.Parse(payload);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.NameEquals("__type") || property.Name.Equals("code", StringComparison.OrdinalIgnoreCase))
                        code ??= property.Value.GetString();
                    else if (property.Name.Equals("message", StringComparison.OrdinalIgnoreCase))
                        message ??= property.Value.GetString();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (e.g. a proxy's HTML error page): fall back to the header and status.
        }

        if (code is null && response.Headers.TryGetValues("x-amzn-ErrorType", out var types))
            code = types.FirstOrDefault();
        return new EventBridgeException(
            NormaliseErrorCode(code) ?? (response.StatusCode >= HttpStatusCode.InternalServerError ? "InternalException" : "UnknownError"),
            message ?? response.ReasonPhrase ?? "EventBridge request failed.",
            response.StatusCode,
            RequestId(response));
    }

    // AWS may qualify the code ("com.amazon.events#ResourceNotFoundException") or suffix it ("Code:http://...").
    private static string? NormaliseErrorCode(string? code)
    {
        if (string.IsNullOrEmpty(code))
            return null;
        var hash = code.LastIndexOf('#');
        if (hash >= 0)
            code = code[(hash + 1)..];
        var colon = code.IndexOf(':');
        return colon >= 0 ? code[..colon] : code;
    }

    private static string? RequestId(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;

    public void Dispose()
    {
        if (_ownsHttp)
            _http.Dispose();
    }
}
