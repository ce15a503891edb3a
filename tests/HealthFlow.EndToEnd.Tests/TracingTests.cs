using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using HealthFlow.Cli.Api;
using HealthFlow.EndToEnd.Tests.Faults;

namespace HealthFlow.EndToEnd.Tests;

[Collection(AppHostCollection.Name)]
public sealed class TracingTests(AppHostFixture system)
{
    private const string MassTransitScope = "MassTransit";

    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());

    [Fact]
    public async Task One_trace_follows_a_check_in_from_the_gateway_through_the_bus_to_the_alert_projection()
    {
        var patient = await _api.RegisterPatientAsync();
        var traceId = ActivityTraceId.CreateRandom();
        var traceparent = $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01";

        var response = await _api.SubmitCheckInAsync(patient, new { score = 9 }, traceparent: traceparent);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);

        // The dashboard's telemetry API serves the trace as OTLP JSON.
        using var dashboard = Dashboard();
        string[] expected = ["gateway", "command-api", "alert-worker", "projections"];
        List<Span> seen = [];
        var waiting = Eventually.GetAsync(async () =>
        {
            var found = seen = await TraceAsync(dashboard, traceId.ToHexString());
            var services = found.Select(s => s.Service).ToHashSet();
            // Wait for both hops' MassTransit consume spans, not just for the services to show up.
            var byId = found.ToDictionary(s => s.SpanId);
            return expected.All(services.Contains)
                && found.Any(s => IsMassTransitConsume(s, "alert-worker"))
                && found.Any(s => IsMassTransitConsume(s, "projections") && Ancestors(s, byId).Any(a => a.Service == "alert-worker"))
                ? found : null;
        }, "the trace to reach the alert projection through MassTransit", TimeSpan.FromSeconds(60));
        List<Span> spans;
        try
        {
            spans = await waiting;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} Spans so far: {string.Join("; ", seen.Select(s => $"{s.Service}/{s.Scope}/{s.Name}"))}", ex);
        }

        Assert.Superset(expected.ToHashSet(), spans.Select(s => s.Service).ToHashSet());
        AssertNonEmpty.All(spans, s => Assert.Equal(traceId.ToHexString(), s.TraceId));
        var byId = spans.ToDictionary(s => s.SpanId);

        // alert-worker consumes ObservationSubmitted in MassTransit's consume span, whose ancestors
        // lead, without leaving the trace, to the command-api span that appended the event.
        var evaluation = Assert.Single(spans, s => IsMassTransitConsume(s, "alert-worker"));
        Assert.Equal("command-api", FirstAncestorOutside(evaluation, byId).Service);
        // The projection of the AlertRaised that alert-worker appended continues the same trace.
        var alertProjection = Assert.Single(spans, s => IsMassTransitConsume(s, "projections") && FirstAncestorOutside(s, byId).Service == "alert-worker");
        Assert.Contains(Ancestors(alertProjection, byId), s => s.SpanId == evaluation.SpanId);
    }

    [Fact]
    public async Task A_check_in_costs_its_request_path_two_DynamoDB_writes_and_one_PutEvents()
    {
        var patient = await _api.RegisterPatientAsync();
        var traceId = ActivityTraceId.CreateRandom();

        var response = await _api.SubmitCheckInAsync(patient, new { score = 3 }, traceparent: $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);

        // The outbox mark's removal is command-api's last act for a check-in; once its span is in, the rest is.
        using var dashboard = Dashboard();
        var spans = await Eventually.GetAsync(async () =>
        {
            var found = await TraceAsync(dashboard, traceId.ToHexString());
            return found.Any(s => s.Service == "command-api" && s.Name == "outbox clear")
                && found.Count(s => s.Service == "command-api" && s.Name == "DynamoDB.UpdateItem") > 0
                ? found
                : null;
        }, "command-api's spans of the check-in", TimeSpan.FromSeconds(60));

        var calls = spans
            .Where(s => s.Service == "command-api" && s.Attributes.ContainsKey("rpc.service"))
            .Select(s => $"{s.Attributes["rpc.service"]}.{s.Attributes["rpc.method"]}")
            .ToList();
        string[] writes = ["DynamoDB.PutItem", "DynamoDB.UpdateItem", "DynamoDB.DeleteItem", "DynamoDB.BatchWriteItem"];
        Assert.Equal(["DynamoDB.PutItem", "DynamoDB.UpdateItem"], calls.Where(writes.Contains).Order());
        Assert.Equal(1, calls.Count(c => c == "EventBridge.PutEvents"));
        Assert.DoesNotContain(calls, c => c.StartsWith("DynamoDB.", StringComparison.Ordinal) && !writes.Contains(c));
    }

    [Fact]
    public async Task An_audited_read_is_linked_from_the_audit_commit_whose_trace_stores_and_projects_its_record()
    {
        var patient = await _api.RegisterPatientAsync();
        var clinician = await _api.LoginClinicianAsync();
        var traceId = ActivityTraceId.CreateRandom();
        using var read = new HttpRequestMessage(HttpMethod.Get, $"/api/patients/{patient.PatientId}");
        read.Headers.Authorization = new AuthenticationHeaderValue("Bearer", clinician.AccessToken);
        read.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await _api.Http.SendAsync(read);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);

        // The group commit runs outside the request: its own trace, linked to every request whose records it holds.
        using var dashboard = Dashboard();
        List<Span> commits = [];
        var finding = Eventually.GetAsync(async () =>
        {
            commits = [.. (await SpansAsync(dashboard, "query-api")).Where(s => s.Name == "audit commit")];
            return commits.FirstOrDefault(s => s.LinkedTraceIds.Contains(traceId.ToHexString()));
        }, "an audit commit span linked to the read's trace", TimeSpan.FromSeconds(60));
        Span commit;
        try
        {
            commit = await finding;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} Audit commits seen: {commits.Count}, linked to {string.Join(", ", commits.SelectMany(c => c.LinkedTraceIds).Take(20))}", ex);
        }

        Assert.Equal("query-api", commit.Service);
        var spans = await Eventually.GetAsync(async () =>
        {
            var found = await TraceAsync(dashboard, commit.TraceId);
            return found.Any(s => s.Service == "projections" && s.Name.EndsWith(" process", StringComparison.Ordinal)) ? found : null;
        }, "the audit projection's consume span in the audit commit's trace", TimeSpan.FromSeconds(60));
        Assert.Contains(spans, s => s.Service == "query-api" && s.Name == "DynamoDB.PutItem");
        Assert.Contains(spans, s => s.Service == "query-api" && s.Name == "EventBridge.PutEvents");
    }

    [Fact]
    public async Task No_trace_begins_with_a_bare_AWS_call_although_the_live_feed_polls_DynamoDB_every_50_ms()
    {
        var api = new HealthFlowApiClient(system.GatewayUrl);
        var patient = (await FaultPatients.RegisterAsync(api, "trace-roots", 1))[0];
        var clinician = await FaultPatients.ClinicianAsync(api);
        var received = new ConcurrentDictionary<Guid, AlertSummary>();
        using var stop = new CancellationTokenSource();
        var stream = new AlertStream(api, clinician.AccessToken);
        var reading = stream.RunAsync(alert => received[alert.ObservationId] = alert, stop.Token);
        try
        {
            await stream.Connected.WaitAsync(TimeSpan.FromSeconds(30));
            var checkIn = await api.CheckInAsync(patient.AccessToken, new CheckIn(Score: 9), null, CancellationToken.None);
            Assert.True(checkIn.Accepted, $"check-in answered {checkIn.Status} {checkIn.Error}");
            // The alert reached the stream, so the feed was read (many times) while the stream was open.
            await Eventually.UntilAsync(() => Task.FromResult(received.ContainsKey(checkIn.ObservationId!.Value)), "the alert on the live stream", TimeSpan.FromSeconds(30));
        }
        finally
        {
            await stop.CancelAsync();
            await reading;
        }

        using var dashboard = Dashboard();
        var spans = await SpansAsync(dashboard);
        Assert.Contains(spans, s => s.Service == "query-api" && s.Scope == "System.Net.Http");
        var bareCalls = spans.Where(s => s.Scope == "System.Net.Http" && string.IsNullOrEmpty(s.ParentSpanId)).ToList();
        Assert.True(bareCalls.Count == 0, $"traces that begin with a bare call: {string.Join("; ", bareCalls.Take(10).Select(s => $"{s.Service}/{s.Name}"))}");
    }

    private HttpClient Dashboard() => new() { BaseAddress = new Uri(system.DashboardUrl.GetLeftPart(UriPartial.Authority)) };

    private static async Task<List<Span>> SpansAsync(HttpClient dashboard, string? service = null) =>
        Span.ReadAll(await dashboard.GetStringAsync(service is null ? "/api/telemetry/spans" : $"/api/telemetry/spans?resource={service}"));

    private static async Task<List<Span>> TraceAsync(HttpClient dashboard, string traceId)
    {
        var reply = await dashboard.GetAsync($"/api/telemetry/traces/{traceId}");
        return reply.IsSuccessStatusCode ? Span.ReadAll(await reply.Content.ReadAsStringAsync()) : [];
    }

    // MassTransit names its receive span "<endpoint> receive" and the consume span under it "<endpoint> process".
    private static bool IsMassTransitConsume(Span span, string service) =>
        span.Service == service && span.Scope == MassTransitScope && span.IsConsumer && span.Name.EndsWith(" process", StringComparison.Ordinal);

    private static IEnumerable<Span> Ancestors(Span span, Dictionary<string, Span> byId)
    {
        var current = span;
        while (current.ParentSpanId is { Length: > 0 } parent && byId.TryGetValue(parent, out var next))
        {
            yield return next;
            current = next;
        }
    }

    private static Span FirstAncestorOutside(Span span, Dictionary<string, Span> byId) =>
        Ancestors(span, byId).FirstOrDefault(a => a.Service != span.Service)
        ?? throw new Xunit.Sdk.XunitException($"Span {span.Name} of {span.Service} has no ancestor in another service: its parent is not in the trace.");

    /// <summary>One span of the dashboard's OTLP JSON, with its service, instrumentation scope and string attributes.</summary>
    private sealed record Span(
        string Service, string Scope, string Name, string TraceId, string SpanId, string? ParentSpanId, string Kind, IReadOnlyDictionary<string, string> Attributes,
        IReadOnlyList<string> LinkedTraceIds)
    {
        public bool IsConsumer => Kind is "5" or "SPAN_KIND_CONSUMER";

        public static List<Span> ReadAll(string otlpJson)
        {
            var spans = new List<Span>();
            using var document = JsonDocument.Parse(otlpJson);
            // The dashboard wraps the OTLP document: {"data": {"resourceSpans": [...]}, "totalCount": ...}.
            var root = document.RootElement.TryGetProperty("data", out var data) ? data : document.RootElement;
            foreach (var resourceSpans in Array(root, "resourceSpans"))
            {
                var service = resourceSpans.TryGetProperty("resource", out var resource) ? ReadAttributes(resource).GetValueOrDefault("service.name", "?") : "?";
                foreach (var scopeSpans in Array(resourceSpans, "scopeSpans"))
                {
                    var scope = scopeSpans.TryGetProperty("scope", out var s) && s.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
                    foreach (var span in Array(scopeSpans, "spans"))
                    {
                        spans.Add(new Span(
                            service,
                            scope,
                            span.GetProperty("name").GetString() ?? "",
                            span.GetProperty("traceId").GetString() ?? "",
                            span.GetProperty("spanId").GetString() ?? "",
                            span.TryGetProperty("parentSpanId", out var parent) ? parent.GetString() : null,
                            span.TryGetProperty("kind", out var kind) ? kind.ToString() : "",
                            ReadAttributes(span),
                            [.. Array(span, "links").Select(l => l.GetProperty("traceId").GetString() ?? "")]));
                    }
                }
            }

            return spans;
        }

        private static IEnumerable<JsonElement> Array(JsonElement element, string property) =>
            element.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array ? array.EnumerateArray() : [];

        private static Dictionary<string, string> ReadAttributes(JsonElement element) =>
            Array(element, "attributes")
                .Where(a => a.GetProperty("value").TryGetProperty("stringValue", out _))
                .ToDictionary(a => a.GetProperty("key").GetString()!, a => a.GetProperty("value").GetProperty("stringValue").GetString()!);
    }
}
