using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using HealthFlow.Cli.Api;
using HealthFlow.Domain.CheckIns;
using HealthFlow.EndToEnd.Tests.Faults;

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
        using var dashboard = Dashboard();
        List<TraceSpan> seen = [];
        var waiting = Eventually.GetAsync(async () =>
        {
            var found = seen = await TraceAsync(dashboard, traceId.ToHexString());
            var services = found.Select(s => s.Service).ToHashSet();
            // Wait for both hops' MassTransit consume spans, not just for the services to show up.
            var byId = found.ToDictionary(s => s.SpanId);
            return TraceChecks.CheckInServices.All(services.Contains)
                && found.Any(s => TraceChecks.IsMassTransitConsume(s, "alert-worker"))
                && found.Any(s => TraceChecks.IsMassTransitConsume(s, "projections") && TraceChecks.Ancestors(s, byId).Any(a => a.Service == "alert-worker"))
                ? found : null;
        }, "the trace to reach the alert projection through MassTransit", TimeSpan.FromSeconds(60));
        List<TraceSpan> spans;
        try
        {
            spans = await waiting;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} Spans so far: {string.Join("; ", seen.Select(s => $"{s.Service}/{s.Scope}/{s.Name}"))}", ex);
        }

        TraceChecks.AssertNone(TraceChecks.ThroughTheBus(spans, traceId.ToHexString()), spans);
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

        TraceChecks.AssertNone(TraceChecks.CheckInRequestPath(spans), spans);
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
        List<TraceSpan> commits = [];
        var finding = Eventually.GetAsync(async () =>
        {
            commits = [.. (await SpansAsync(dashboard, "query-api")).Where(s => s.Name == "audit commit")];
            return commits.FirstOrDefault(s => s.LinkedTraceIds.Contains(traceId.ToHexString()));
        }, "an audit commit span linked to the read's trace", TimeSpan.FromSeconds(60));
        TraceSpan commit;
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
        // A missed check-in's alert (ObservationId null) is no check-in's: not one this test waits for.
        var reading = stream.RunAsync(alert =>
        {
            if (alert.ObservationId is { } observationId)
            {
                received[observationId] = alert;
            }
        }, stop.Token);
        try
        {
            await stream.Connected.WaitAsync(TimeSpan.FromSeconds(30));
            var checkIn = await api.CheckInAsync(patient.AccessToken, new CheckInBody { Score = 9 }, null, CancellationToken.None);
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

    private HttpClient Dashboard() => DashboardTelemetry.Client(system);

    private static Task<List<TraceSpan>> SpansAsync(HttpClient dashboard, string? service = null) => DashboardTelemetry.SpansAsync(dashboard, service);

    private static Task<List<TraceSpan>> TraceAsync(HttpClient dashboard, string traceId) => DashboardTelemetry.TraceAsync(dashboard, traceId);
}
