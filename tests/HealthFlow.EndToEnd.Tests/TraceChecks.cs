namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// The span counts the tracing tests rely on, as functions of a trace that return what is wrong with it, so the
/// same code checks a trace from the dashboard and the planted traces of <c>TraceChecksTests</c>.
/// </summary>
public static class TraceChecks
{
    private const string MassTransitScope = "MassTransit";

    /// <summary>The services a check-in's trace passes through, from the gateway to the alert projection.</summary>
    public static readonly IReadOnlyList<string> CheckInServices = ["gateway", "command-api", "alert-worker", "projections"];

    private static readonly string[] DynamoDbWrites = ["DynamoDB.PutItem", "DynamoDB.UpdateItem", "DynamoDB.DeleteItem", "DynamoDB.BatchWriteItem"];

    /// <summary>
    /// One trace from the gateway through the bus: every span in it, each service there, exactly one alert-worker
    /// consume span under the command-api span that appended the check-in, and exactly one alert projection consume
    /// span under that one. A second consume span is a second delivery handled; a missing one, a broken trace.
    /// </summary>
    public static IReadOnlyList<string> ThroughTheBus(IReadOnlyList<TraceSpan> spans, string traceId)
    {
        var violations = new List<string>();
        violations.AddRange(CheckInServices.Where(service => spans.All(s => s.Service != service)).Select(service => $"no span of {service}"));
        violations.AddRange(spans.Where(s => s.TraceId != traceId).Select(s => $"{Describe(s)} is in trace {s.TraceId}"));
        var byId = spans.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());

        var evaluations = spans.Where(s => IsMassTransitConsume(s, "alert-worker")).ToList();
        if (evaluations.Count != 1)
        {
            violations.Add($"{evaluations.Count} alert-worker consume spans, not one");
        }

        if (evaluations.Count > 0 && FirstAncestorOutside(evaluations[0], byId)?.Service != "command-api")
        {
            violations.Add($"{Describe(evaluations[0])} does not descend from the command-api span that appended the check-in");
        }

        var projections = spans.Where(s => IsMassTransitConsume(s, "projections") && FirstAncestorOutside(s, byId)?.Service == "alert-worker").ToList();
        if (projections.Count != 1)
        {
            violations.Add($"{projections.Count} alert projection consume spans under alert-worker, not one");
        }

        if (evaluations.Count > 0 && projections.Count > 0 && !Ancestors(projections[0], byId).Any(a => a.SpanId == evaluations[0].SpanId))
        {
            violations.Add($"{Describe(projections[0])} does not descend from the alert-worker consume span");
        }

        return violations;
    }

    /// <summary>command-api's request path of a calm check-in: one PutItem, one UpdateItem (the outbox mark), one PutEvents, no read.</summary>
    public static IReadOnlyList<string> CheckInRequestPath(IReadOnlyList<TraceSpan> spans)
    {
        var calls = spans
            .Where(s => s.Service == "command-api" && s.Attributes.ContainsKey("rpc.service"))
            .Select(s => $"{s.Attributes["rpc.service"]}.{s.Attributes["rpc.method"]}")
            .ToList();
        var violations = new List<string>();
        var writes = calls.Where(DynamoDbWrites.Contains).Order(StringComparer.Ordinal).ToList();
        if (!writes.SequenceEqual(["DynamoDB.PutItem", "DynamoDB.UpdateItem"]))
        {
            violations.Add($"DynamoDB writes [{string.Join(", ", writes)}], not one PutItem and one UpdateItem");
        }

        var publishes = calls.Count(c => c == "EventBridge.PutEvents");
        if (publishes != 1)
        {
            violations.Add($"{publishes} PutEvents, not one");
        }

        violations.AddRange(calls.Where(c => c.StartsWith("DynamoDB.", StringComparison.Ordinal) && !DynamoDbWrites.Contains(c)).Select(c => $"a {c} on the request path"));
        return violations;
    }

    public static void AssertNone(IReadOnlyList<string> violations, IReadOnlyList<TraceSpan> spans) =>
        Assert.True(violations.Count == 0,
            $"{string.Join("; ", violations)}. The trace: {string.Join("; ", spans.Select(Describe))}");

    // MassTransit names its receive span "<endpoint> receive" and the consume span under it "<endpoint> process".
    public static bool IsMassTransitConsume(TraceSpan span, string service) =>
        span.Service == service && span.Scope == MassTransitScope && span.IsConsumer && span.Name.EndsWith(" process", StringComparison.Ordinal);

    public static IEnumerable<TraceSpan> Ancestors(TraceSpan span, IReadOnlyDictionary<string, TraceSpan> byId)
    {
        var current = span;
        while (current.ParentSpanId is { Length: > 0 } parent && byId.TryGetValue(parent, out var next))
        {
            yield return next;
            current = next;
        }
    }

    private static TraceSpan? FirstAncestorOutside(TraceSpan span, IReadOnlyDictionary<string, TraceSpan> byId) =>
        Ancestors(span, byId).FirstOrDefault(a => a.Service != span.Service);

    private static string Describe(TraceSpan span) => $"{span.Service}/{span.Scope}/{span.Name}";
}
