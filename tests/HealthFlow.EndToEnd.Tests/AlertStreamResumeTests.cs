using System.Net;
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
        using (var first = await SseConnection.OpenAsync(system.GatewayUrl, "/api/alerts/stream", clinician.AccessToken))
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

        using var resumed = await SseConnection.OpenAsync(system.GatewayUrl, "/api/alerts/stream", clinician.AccessToken, lastEventId);
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

        using var stream = await SseConnection.OpenAsync(system.GatewayUrl, "/api/alerts/stream", clinician.AccessToken, sixteenMinutesAgo);
        var events = await stream.ReadUntilAsync(e => e.Event == "reset");

        Assert.Equal("reset", events[^1].Event);
        Assert.DoesNotContain(events, e => e.Event == "alert");
    }
}
