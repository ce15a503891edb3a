using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthFlow.Api.Tests.Infrastructure;
using HealthFlow.Domain.Alerts;

namespace HealthFlow.Api.Tests.Queries;

/// <summary>
/// The alert stream as the clinician app opens it, with a single-use ticket in the URL: EventSource cannot send the
/// Last-Event-ID header on a URL of its own choosing, so the resume position travels beside the ticket. A query-api of
/// the test's own sends a heartbeat every second, so the tests need not wait the default 15 s.
/// </summary>
[Collection(ApiSystemCollection.Name)]
public sealed class AlertStreamTicketResumeTests(ApiSystem system) : IDisposable
{
    private readonly HealthFlowApi _auth = new(ApiSystem.CreateClient(system.AuthApi));
    private readonly HealthFlowApi _commands = new(ApiSystem.CreateClient(system.CommandApi));
    private readonly StreamProjector _projector = system.CreateStreamProjector();

    private Wards Wards => new(_auth, _commands, _projector);

    [Fact]
    public async Task A_stream_reopened_with_a_new_ticket_and_the_last_event_id_replays_exactly_the_changes_after_it()
    {
        await using var queryApi = await system.StartQueryApiAsync(new Dictionary<string, string?> { ["AlertStream:HeartbeatSeconds"] = "1" });
        var (clinician, patients) = await Wards.CreateAsync(1, "Resume");

        List<SseEvent> first;
        using (var stream = await SseConnection.OpenAsync(queryApi.Url, $"/api/alerts/stream?ticket={await TicketAsync(clinician)}"))
        {
            // Up to the first heartbeat the stream is subscribed, so nothing raised from here on is missed.
            await stream.ReadUntilAsync(e => e.Event == "heartbeat");
            for (var i = 0; i < 3; i++)
            {
                await Wards.RaiseAsync(patients[0], Severities.Medium, TimeSpan.FromMinutes(3 - i));
            }

            first = await stream.ReadUntilAsync(events => events.Count(e => e.Event == "alert") == 3);
        }

        var delivered = first.Where(e => e.Event == "alert").ToList();
        var resumeFrom = delivered[0].Id!;
        using var resumed = await SseConnection.OpenAsync(
            queryApi.Url, $"/api/alerts/stream?ticket={await TicketAsync(clinician)}&lastEventId={Uri.EscapeDataString(resumeFrom)}");
        // The replay is written before the live loop, whose first heartbeat therefore ends it.
        var replayed = (await resumed.ReadUntilAsync(e => e.Event == "heartbeat")).Where(e => e.Event != "heartbeat").ToList();

        Assert.Equal(delivered.Skip(1).Select(e => (e.Event, e.Id, AlertId(e))), replayed.Select(e => (e.Event, e.Id, AlertId(e))));
    }

    [Fact]
    public async Task A_quiet_stream_sends_named_heartbeat_events_with_the_server_time()
    {
        await using var queryApi = await system.StartQueryApiAsync(new Dictionary<string, string?> { ["AlertStream:HeartbeatSeconds"] = "1" });
        var clinician = await _auth.LoginAsync(HealthFlowApi.DemoClinician, HealthFlowApi.DemoClinicianPassword);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        using var stream = await SseConnection.OpenAsync(queryApi.Url, $"/api/alerts/stream?ticket={await TicketAsync(clinician)}");
        var heartbeats = (await stream.ReadUntilAsync(events => events.Count(e => e.Event == "heartbeat") == 2)).Where(e => e.Event == "heartbeat").ToList();

        AssertNonEmpty.All(heartbeats, heartbeat =>
        {
            var serverTime = heartbeat.Data!["serverTime"]!.GetValue<DateTimeOffset>();
            Assert.InRange(serverTime, before, DateTimeOffset.UtcNow.AddSeconds(5));
        });
    }

    public void Dispose()
    {
        _projector.Dispose();
        _auth.Http.Dispose();
        _commands.Http.Dispose();
    }

    private async Task<string> TicketAsync(HealthFlowApi.Session clinician)
    {
        var issued = await _auth.PostAsync(clinician, "/api/alerts/stream-ticket", null);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        return Uri.EscapeDataString((await issued.Content.ReadFromJsonAsync<JsonObject>())!["ticket"]!.GetValue<string>());
    }

    private static string? AlertId(SseEvent e) => e.Data?["alertId"]?.GetValue<string>();
}
