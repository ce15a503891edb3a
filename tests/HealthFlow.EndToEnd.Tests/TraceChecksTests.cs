namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// The negative controls of <see cref="TraceChecks"/>: a check-in's trace as the dashboard serves it passes, and the
/// same trace with a span taken away or a span twice fails. No AppHost: the traces are written out here.
/// </summary>
public sealed class TraceChecksTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    [Fact]
    public void A_whole_check_in_trace_passes_both_checks()
    {
        var trace = CheckInTrace();

        Assert.Empty(TraceChecks.ThroughTheBus(trace, TraceId));
        Assert.Empty(TraceChecks.CheckInRequestPath(trace));
    }

    [Fact]
    public void A_trace_missing_the_alert_projections_consume_span_fails()
    {
        var trace = CheckInTrace().Where(s => s.SpanId != "proj-process").ToList();

        Assert.Contains("0 alert projection consume spans under alert-worker, not one", TraceChecks.ThroughTheBus(trace, TraceId));
    }

    [Fact]
    public void A_trace_with_the_alert_workers_consume_span_twice_fails()
    {
        var trace = CheckInTrace();
        var evaluation = trace.Single(s => s.SpanId == "worker-process");
        trace.Add(evaluation with { SpanId = "worker-process-again" });

        Assert.Contains("2 alert-worker consume spans, not one", TraceChecks.ThroughTheBus(trace, TraceId));
    }

    [Fact]
    public void A_trace_whose_alert_worker_span_has_lost_its_parent_fails()
    {
        var trace = CheckInTrace().Where(s => s.SpanId != "worker-receive").ToList();

        Assert.Contains(TraceChecks.ThroughTheBus(trace, TraceId), v => v.Contains("does not descend from the command-api span", StringComparison.Ordinal));
    }

    [Fact]
    public void A_request_path_missing_the_outbox_mark_removal_fails()
    {
        var trace = CheckInTrace().Where(s => s.SpanId != "cmd-update").ToList();

        Assert.Contains("DynamoDB writes [DynamoDB.PutItem], not one PutItem and one UpdateItem", TraceChecks.CheckInRequestPath(trace));
    }

    [Fact]
    public void A_request_path_with_a_second_PutEvents_fails()
    {
        var trace = CheckInTrace();
        trace.Add(trace.Single(s => s.SpanId == "cmd-put-events") with { SpanId = "cmd-put-events-again" });

        Assert.Equal(["2 PutEvents, not one"], TraceChecks.CheckInRequestPath(trace));
    }

    /// <summary>The spans of one alarming check-in, shaped as the dashboard's OTLP JSON gives them (parents by span id).</summary>
    private static List<TraceSpan> CheckInTrace() =>
    [
        Span("gateway", "Yarp", "POST /api/observations", "gateway-in", null),
        Span("command-api", "Microsoft.AspNetCore", "POST /api/observations", "cmd-request", "gateway-in"),
        Call("command-api", "DynamoDB", "PutItem", "cmd-put", "cmd-request"),
        Call("command-api", "EventBridge", "PutEvents", "cmd-put-events", "cmd-request"),
        Call("command-api", "DynamoDB", "UpdateItem", "cmd-update", "cmd-request"),
        Span("alert-worker", "HealthFlow", "receive alert-evaluation", "worker-receive", "cmd-put-events"),
        Span("alert-worker", "MassTransit", "alert-evaluation process", "worker-process", "worker-receive", consumer: true),
        Call("alert-worker", "DynamoDB", "PutItem", "worker-put", "worker-process"),
        Call("alert-worker", "EventBridge", "PutEvents", "worker-put-events", "worker-process"),
        Span("projections", "HealthFlow", "receive alert-projection", "proj-receive", "worker-put-events"),
        Span("projections", "MassTransit", "alert-projection process", "proj-process", "proj-receive", consumer: true),
    ];

    private static TraceSpan Span(string service, string scope, string name, string spanId, string? parent, bool consumer = false) =>
        new(service, scope, name, TraceId, spanId, parent, consumer ? "SPAN_KIND_CONSUMER" : "SPAN_KIND_INTERNAL", new Dictionary<string, string>(), []);

    private static TraceSpan Call(string service, string rpcService, string method, string spanId, string parent) =>
        new(service, "AWSSDK", $"{rpcService}.{method}", TraceId, spanId, parent, "SPAN_KIND_CLIENT",
            new Dictionary<string, string> { ["rpc.service"] = rpcService, ["rpc.method"] = method }, []);
}
