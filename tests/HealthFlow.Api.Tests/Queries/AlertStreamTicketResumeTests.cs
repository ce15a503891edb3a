using System.Net;
using System.Net.Http.Headers;
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
    private static readonly TimeSpan StreamPatience = TimeSpan.FromSeconds(30);

    private readonly HealthFlowApi _auth = new(ApiSystem.CreateClient(system.AuthApi));
    private readonly HealthFlowApi _commands = new(ApiSystem.CreateClient(system.CommandApi));
    private readonly StreamProjector _projector = system.CreateStreamProjector();

    private Wards Wards => new(_auth, _commands, _projector);

    [Fact]
    public async Task A_stream_reopened_with_a_new_ticket_and_the_last_event_id_replays_exactly_the_changes_after_it()
    {
        await using var queryApi = await system.StartQueryApiAsync(new Dictionary<string, string?> { ["AlertStream:HeartbeatSeconds"] = "1" });
        using var http = new HttpClient { BaseAddress = queryApi.Url, Timeout = Timeout.InfiniteTimeSpan };
        var (clinician, patients) = await Wards.CreateAsync(1, "Resume");

        List<SseEvent> first;
        await using (var stream = await SseStream.OpenAsync(http, $"/api/alerts/stream?ticket={await TicketAsync(clinician)}"))
        {
            // Up to the first heartbeat the stream is subscribed, so nothing raised from here on is missed.
            await stream.ReadUntilAsync(e => e.Name == "heartbeat");
            for (var i = 0; i < 3; i++)
            {
                await Wards.RaiseAsync(patients[0], Severities.Medium, TimeSpan.FromMinutes(3 - i));
            }

            first = await stream.ReadUntilAsync(events => events.Count(e => e.Name == "alert") == 3);
        }

        var delivered = first.Where(e => e.Name == "alert").ToList();
        var resumeFrom = delivered[0].Id!;
        await using var resumed = await SseStream.OpenAsync(
            http, $"/api/alerts/stream?ticket={await TicketAsync(clinician)}&lastEventId={Uri.EscapeDataString(resumeFrom)}");
        // The replay is written before the live loop, whose first heartbeat therefore ends it.
        var replayed = (await resumed.ReadUntilAsync(e => e.Name == "heartbeat")).Where(e => e.Name != "heartbeat").ToList();

        Assert.Equal(delivered.Skip(1).Select(e => (e.Name, e.Id, AlertId(e))), replayed.Select(e => (e.Name, e.Id, AlertId(e))));
    }

    [Fact]
    public async Task A_quiet_stream_sends_named_heartbeat_events_with_the_server_time()
    {
        await using var queryApi = await system.StartQueryApiAsync(new Dictionary<string, string?> { ["AlertStream:HeartbeatSeconds"] = "1" });
        using var http = new HttpClient { BaseAddress = queryApi.Url, Timeout = Timeout.InfiniteTimeSpan };
        var clinician = await _auth.LoginAsync(HealthFlowApi.DemoClinician, HealthFlowApi.DemoClinicianPassword);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        await using var stream = await SseStream.OpenAsync(http, $"/api/alerts/stream?ticket={await TicketAsync(clinician)}");
        var heartbeats = (await stream.ReadUntilAsync(events => events.Count(e => e.Name == "heartbeat") == 2)).Where(e => e.Name == "heartbeat").ToList();

        AssertNonEmpty.All(heartbeats, heartbeat =>
        {
            var serverTime = JsonNode.Parse(heartbeat.Data)!["serverTime"]!.GetValue<DateTimeOffset>();
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

    private static string? AlertId(SseEvent e) => JsonNode.Parse(e.Data)?["alertId"]?.GetValue<string>();

    private sealed record SseEvent(string Name, string? Id, string Data);

    /// <summary>An open text/event-stream response, read one event at a time.</summary>
    private sealed class SseStream : IAsyncDisposable
    {
        private readonly HttpResponseMessage _response;
        private readonly StreamReader _reader;
        private readonly CancellationTokenSource _timeout = new(StreamPatience);

        private SseStream(HttpResponseMessage response, StreamReader reader)
        {
            _response = response;
            _reader = reader;
        }

        public static async Task<SseStream> OpenAsync(HttpClient http, string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return new SseStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
        }

        public Task<List<SseEvent>> ReadUntilAsync(Func<SseEvent, bool> last) => ReadUntilAsync(events => events.Count > 0 && last(events[^1]));

        /// <summary>The events read until <paramref name="done"/> holds for them; the stream's patience running out fails the test.</summary>
        public async Task<List<SseEvent>> ReadUntilAsync(Func<List<SseEvent>, bool> done)
        {
            var events = new List<SseEvent>();
            string? name = null, id = null, data = null;
            try
            {
                while (await _reader.ReadLineAsync(_timeout.Token) is { } line)
                {
                    if (line.Length == 0)
                    {
                        if (name is not null)
                        {
                            events.Add(new SseEvent(name, id, data ?? ""));
                            if (done(events))
                            {
                                return events;
                            }
                        }

                        (name, id, data) = (null, null, null);
                    }
                    else if (line.StartsWith("event: ", StringComparison.Ordinal))
                    {
                        name = line["event: ".Length..];
                    }
                    else if (line.StartsWith("id: ", StringComparison.Ordinal))
                    {
                        id = line["id: ".Length..];
                    }
                    else if (line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        data = line["data: ".Length..];
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }

            Assert.Fail($"The stream did not send what was awaited; it sent: {string.Join(" | ", events.Select(e => $"{e.Name} {e.Id}"))}");
            return events;
        }

        public ValueTask DisposeAsync()
        {
            _reader.Dispose();
            _response.Dispose();
            _timeout.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
