using System.Diagnostics;
using System.Text.Json;

namespace HealthFlow.EndToEnd.Tests;

[Collection(AppHostCollection.Name)]
public sealed class TracingTests(AppHostFixture system)
{
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
        using var dashboard = new HttpClient { BaseAddress = new Uri(system.DashboardUrl.GetLeftPart(UriPartial.Authority)) };
        string[] expected = ["gateway", "command-api", "alert-worker", "projections"];
        var services = await Eventually.GetAsync(async () =>
        {
            var reply = await dashboard.GetAsync($"/api/telemetry/traces/{traceId}");
            if (!reply.IsSuccessStatusCode)
            {
                return null;
            }

            var found = ServiceNames(await reply.Content.ReadAsStringAsync());
            return expected.All(found.Contains) && found.Contains("projections") ? found : null;
        }, "the trace to reach the alert projection", TimeSpan.FromSeconds(60));

        Assert.Superset(expected.ToHashSet(), services);
    }

    [Fact]
    public async Task A_check_in_costs_its_request_path_two_DynamoDB_writes_and_one_PutEvents()
    {
        var patient = await _api.RegisterPatientAsync();
        var traceId = ActivityTraceId.CreateRandom();

        var response = await _api.SubmitCheckInAsync(patient, new { score = 3 }, traceparent: $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);

        // The outbox mark's removal is command-api's last act for a check-in; once its span is in, the rest is.
        using var dashboard = new HttpClient { BaseAddress = new Uri(system.DashboardUrl.GetLeftPart(UriPartial.Authority)) };
        var spans = await Eventually.GetAsync(async () =>
        {
            var reply = await dashboard.GetAsync($"/api/telemetry/traces/{traceId}");
            var found = reply.IsSuccessStatusCode ? Spans(await reply.Content.ReadAsStringAsync()) : [];
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

    private sealed record Span(string Service, string Name, IReadOnlyDictionary<string, string> Attributes);

    private static List<Span> Spans(string otlpJson)
    {
        var spans = new List<Span>();
        using var document = JsonDocument.Parse(otlpJson);
        // The dashboard wraps the OTLP document: {"data": {"resourceSpans": [...]}}.
        var root = document.RootElement.TryGetProperty("data", out var data) ? data : document.RootElement;
        foreach (var resource in Array(root, "resourceSpans"))
        {
            var service = resource.TryGetProperty("resource", out var r) ? Attributes(r).GetValueOrDefault("service.name", "") : "";
            foreach (var scope in Array(resource, "scopeSpans"))
            {
                foreach (var span in Array(scope, "spans"))
                {
                    spans.Add(new Span(service, span.GetProperty("name").GetString()!, Attributes(span)));
                }
            }
        }

        return spans;

        static IEnumerable<JsonElement> Array(JsonElement element, string name) =>
            element.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array ? array.EnumerateArray() : [];

        static Dictionary<string, string> Attributes(JsonElement element) =>
            Array(element, "attributes")
                .Where(a => a.GetProperty("value").TryGetProperty("stringValue", out _))
                .ToDictionary(a => a.GetProperty("key").GetString()!, a => a.GetProperty("value").GetProperty("stringValue").GetString()!);
    }

    private static HashSet<string> ServiceNames(string otlpJson)
    {
        var names = new HashSet<string>();
        Collect(JsonDocument.Parse(otlpJson).RootElement);
        return names;

        void Collect(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    if (element.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String && key.GetString() == "service.name"
                        && element.TryGetProperty("value", out var value) && value.TryGetProperty("stringValue", out var name))
                    {
                        names.Add(name.GetString()!);
                    }

                    foreach (var property in element.EnumerateObject())
                    {
                        Collect(property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Collect(item);
                    }

                    break;
            }
        }
    }
}
