using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using HealthFlow.ReadModels;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// `GET /api/alerts/stream` resumes with `Last-Event-ID` within 15 minutes and 500 changes: a reconnect gets
/// exactly what it missed, and past the window it is told to reload (`event: reset`), which it must see.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class AlertStreamResumeTests(AppHostFixture system)
{
    // NEWS2 3 for the respiratory rate alone: a low-medium alert, which never escalates, so no change but the raise
    // reaches the feed while the test watches.
    private static readonly object LowMediumCheckIn = new { respiratoryRate = 26 };

    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());

    [Fact]
    public async Task A_reconnect_with_Last_Event_ID_gets_every_alert_it_missed_once_and_nothing_it_had_seen()
    {
        var admin = await _api.LoginAdminAsync();
        var team = await CareTeamClinic.CreateTeamAsync(_api, admin, "Resume " + Guid.NewGuid().ToString("N")[..8]);
        var clinician = await CareTeamClinic.CreateClinicianAsync(_api, admin);
        var patient = await _api.RegisterPatientAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await _api.PostAsync(admin, $"/api/care-teams/{team}/clinicians", new { clinicianId = clinician.Username })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _api.PostAsync(admin, $"/api/care-teams/{team}/patients", new { patientId = patient.PatientId })).StatusCode);

        string lastEventId;
        Guid seen;
        using (var first = await SseConnection.OpenAsync(system, clinician, lastEventId: null))
        {
            seen = await _api.CheckInAsync(patient, LowMediumCheckIn);
            var delivered = await first.ReadUntilAsync(e => e.IsAlertOf(seen));
            lastEventId = delivered[^1].Id!;
        }

        // Missed while disconnected, and in the read model before the client comes back.
        var missed = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            missed.Add(await _api.CheckInAsync(patient, LowMediumCheckIn));
        }

        await Eventually.UntilAsync(async () => missed.All((await _api.AlertsForPatientAsync(clinician, patient.PatientId!.Value))
            .Select(a => Guid.Parse(a["observationId"]!.GetValue<string>())).ToHashSet().Contains), "the missed alerts to be projected", TimeSpan.FromSeconds(30));

        using var resumed = await SseConnection.OpenAsync(system, clinician, lastEventId);
        // A live alert after the replay: once it arrives, a replayed alert sent again by the live tail would have come first.
        var readingResumed = resumed.ReadUntilAsync(e => e.IsAlertOf(missed.Last()));
        var live = await _api.CheckInAsync(patient, LowMediumCheckIn);
        var events = (await readingResumed).Concat(await resumed.ReadUntilAsync(e => e.IsAlertOf(live))).ToList();

        Assert.DoesNotContain(events, e => e.Event == "reset");
        var alerts = events.Where(e => e.Event == "alert").Select(e => Guid.Parse(e.Data!["observationId"]!.GetValue<string>())).ToList();
        Assert.Equal([.. missed.Append(live).Order()], alerts.Order().ToList());
        Assert.DoesNotContain(seen, alerts);
        Assert.Equal(alerts.Count, events.Where(e => e.Event == "alert").Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public async Task A_Last_Event_ID_older_than_15_minutes_gets_a_reset_event_and_no_replay()
    {
        var clinician = await _api.LoginClinicianAsync();
        var patient = await _api.RegisterPatientAsync();
        await _api.CheckInAsync(patient, LowMediumCheckIn);
        var sixteenMinutesAgo = AlertItems.UpdatedKey(DateTimeOffset.UtcNow.AddMinutes(-16), Guid.Empty);

        using var stream = await SseConnection.OpenAsync(system, clinician, sixteenMinutesAgo);
        var events = await stream.ReadUntilAsync(e => e.Event == "reset");

        Assert.Equal("reset", events[^1].Event);
        Assert.DoesNotContain(events, e => e.Event == "alert");
    }
}

/// <summary>One server-sent event as the stream wrote it.</summary>
internal sealed record SseEvent(string? Id, string Event, JsonObject? Data)
{
    public bool IsAlertOf(Guid observationId) => Event == "alert" && Data?["observationId"]?.GetValue<string>() == observationId.ToString();
}

/// <summary>An SSE connection read event by event; the end of the stream is a failure, never a match.</summary>
internal sealed class SseConnection : IDisposable
{
    private readonly HttpClient _client;
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseConnection(HttpClient client, HttpResponseMessage response, StreamReader reader) => (_client, _response, _reader) = (client, response, reader);

    public static async Task<SseConnection> OpenAsync(AppHostFixture system, HealthFlowApi.Session clinician, string? lastEventId)
    {
        var client = new HttpClient { BaseAddress = system.GatewayUrl, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/alerts/stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", clinician.AccessToken);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new SseConnection(client, response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>Every event until one matches (30 s at most).</summary>
    public async Task<List<SseEvent>> ReadUntilAsync(Func<SseEvent, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<SseEvent>();
        string? id = null;
        string? name = null;
        string? data = null;
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No matching event within 30 s; the stream sent: {string.Join(" | ", events.Select(e => $"{e.Event} {e.Id}"))}");
            }

            if (line is null)
            {
                throw new EndOfStreamException($"The stream closed before a matching event; it sent: {string.Join(" | ", events.Select(e => $"{e.Event} {e.Id}"))}");
            }

            if (line.Length == 0)
            {
                if (name is not null || data is not null)
                {
                    var sse = new SseEvent(id, name ?? "message", data is null ? null : JsonNode.Parse(data) as JsonObject);
                    events.Add(sse);
                    if (match(sse))
                    {
                        return events;
                    }
                }

                (id, name, data) = (null, null, null);
            }
            else if (line.StartsWith("id:", StringComparison.Ordinal))
            {
                id = line[3..].Trim();
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                name = line[6..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data = line[5..].Trim();
            }
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
        _client.Dispose();
    }
}
