using System.Text.Json;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// One span of the dashboard's OTLP JSON, with its service, the service's instance (which replica, from
/// service.instance.id), instrumentation scope and string attributes.
/// </summary>
public sealed record TraceSpan(
    string Service, string Scope, string Name, string TraceId, string SpanId, string? ParentSpanId, string Kind, IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<string> LinkedTraceIds, string Instance = "?")
{
    public bool IsConsumer => Kind is "5" or "SPAN_KIND_CONSUMER";

    public static List<TraceSpan> ReadAll(string otlpJson)
    {
        var spans = new List<TraceSpan>();
        using var document = JsonDocument.Parse(otlpJson);
        // The dashboard wraps the OTLP document: {"data": {"resourceSpans": [...]}, "totalCount": ...}.
        var root = document.RootElement.TryGetProperty("data", out var data) ? data : document.RootElement;
        foreach (var resourceSpans in Array(root, "resourceSpans"))
        {
            var resourceAttributes = resourceSpans.TryGetProperty("resource", out var resource) ? ReadAttributes(resource) : [];
            var service = resourceAttributes.GetValueOrDefault("service.name", "?");
            var instance = resourceAttributes.GetValueOrDefault("service.instance.id", "?");
            foreach (var scopeSpans in Array(resourceSpans, "scopeSpans"))
            {
                var scope = scopeSpans.TryGetProperty("scope", out var s) && s.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
                foreach (var span in Array(scopeSpans, "spans"))
                {
                    spans.Add(new TraceSpan(
                        service,
                        scope,
                        span.GetProperty("name").GetString() ?? "",
                        span.GetProperty("traceId").GetString() ?? "",
                        span.GetProperty("spanId").GetString() ?? "",
                        span.TryGetProperty("parentSpanId", out var parent) ? parent.GetString() : null,
                        span.TryGetProperty("kind", out var kind) ? kind.ToString() : "",
                        ReadAttributes(span),
                        [.. Array(span, "links").Select(l => l.GetProperty("traceId").GetString() ?? "")],
                        instance));
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
