using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// Notifications through the whole system: a check-in raises a high alert, notifier emails the on-call clinicians of
/// the patient's care team through the real SMTP server (maildev), and the test reads maildev's inbox through its REST
/// API, which keeps every message it accepted, a duplicate included.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class NotificationTests(AppHostFixture system) : IDisposable
{
    private const string SettingsPath = "/api/clinicians/me/notification-settings";

    // NEWS2 11 (high), heart rate 125, temperature 38.5: readings no message may carry.
    private static readonly object HighCheckIn = EscalationTests.HighCheckIn;

    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly HttpClient _mailDev = new() { BaseAddress = system.MailDevUrl };
    private readonly AwsAccess _aws = new(system.AwsEndpointUrl);
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);

    [Fact]
    public async Task A_high_alert_emails_the_teams_on_call_subscribers_only_its_escalation_every_on_call_clinician_and_no_message_holds_patient_data()
    {
        var ward = await WardAsync();

        var traceId = ActivityTraceId.CreateRandom();
        Assert.Equal(HttpStatusCode.Accepted, (await _api.SubmitCheckInAsync(ward.Patient, HighCheckIn, traceparent: $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01")).StatusCode);

        // The escalation (4 s locally) comes after the high alert's messages, so once it is in, every one is.
        await Eventually.UntilAsync(async () => (await InboxAsync(ward)).Count(m => Subject(m).Contains("escalated alert")) == 2,
            "the escalation emailed to both on-call clinicians of the team", TimeSpan.FromSeconds(60));
        var inbox = await InboxAsync(ward);
        Assert.Equal([ward.Address("on-call-high")], To(inbox.Where(m => Subject(m).Contains("high alert"))));
        Assert.Equal([ward.Address("on-call-high"), ward.Address("on-call-nothing-chosen")], To(inbox.Where(m => Subject(m).Contains("escalated alert"))).Order());
        // Each message sent is on the audit trail, the recipient as actor: who was told what about whom, and how.
        var admin = await _api.LoginAdminAsync();
        async Task<string[]> NotifiedAsync(string role) =>
            [.. (await _api.GetJsonAsync(admin, $"/api/audit?actor={ward.Usernames[role]}&limit=100"))["items"]!.AsArray()
                .Where(r => r!["action"]!.GetValue<string>().StartsWith("notified:", StringComparison.Ordinal)
                    && r["patientId"]?.GetValue<string>() == ward.Patient.PatientId.ToString())
                .Select(r => r!["action"]!.GetValue<string>()).Order()];
        await Eventually.UntilAsync(async () => (await NotifiedAsync("on-call-high")).Length == 2, "the audit records of the notifications sent");
        Assert.Equal(["notified:email:escalation", "notified:email:high-alert"], await NotifiedAsync("on-call-high"));
        Assert.Empty(await NotifiedAsync("off-call"));

        // And a span in the check-in's trace, under notifier's consume of the alert event.
        using var dashboard = new HttpClient { BaseAddress = new Uri(system.DashboardUrl.GetLeftPart(UriPartial.Authority)) };
        var notified = await Eventually.GetAsync(async () =>
        {
            var reply = await dashboard.GetAsync($"/api/telemetry/traces/{traceId.ToHexString()}");
            var spans = reply.IsSuccessStatusCode ? TraceSpan.ReadAll(await reply.Content.ReadAsStringAsync()) : [];
            return spans.FirstOrDefault(span => span.Service == "notifier" && span.Name == "notify email");
        }, "notifier's span in the check-in's trace", TimeSpan.FromSeconds(60));
        Assert.Equal("sent", notified.Attributes["healthflow.notification.outcome"]);
        AssertNonEmpty.All(inbox, message =>
        {
            var text = message["text"]!.GetValue<string>() + Subject(message);
            Assert.Contains(ward.TeamName, text, StringComparison.Ordinal);
            Assert.Contains("/patients/" + ward.Patient.PatientId, text, StringComparison.Ordinal);
            Assert.DoesNotContain(ward.PatientName, text, StringComparison.OrdinalIgnoreCase);
            foreach (var reading in new[] { "NEWS2", "125", "38.5", "score" })
            {
                Assert.DoesNotContain(reading, text, StringComparison.OrdinalIgnoreCase);
            }
        });
    }

    [Fact]
    public async Task A_redelivered_alert_event_sends_no_second_email()
    {
        var ward = await WardAsync();
        var observationId = await _api.CheckInAsync(ward.Patient, HighCheckIn);
        await Eventually.UntilAsync(async () => (await InboxAsync(ward)).Count(m => Subject(m).Contains("escalated alert")) == 2,
            "the high alert and its escalation emailed", TimeSpan.FromSeconds(60));
        await _quiescence.WaitAsync();
        var before = await InboxAsync(ward);

        // Every event of the alert published twice more: notifier's queue receives each again.
        var alert = await _aws.EventStore.ReadStreamAsync(StreamId.ForAlert(AlertId.For(observationId)))
            .Where(e => e.Type is EventTypes.AlertRaised or EventTypes.AlertEscalated).ToListAsync();
        Assert.Equal(2, alert.Count);
        await _aws.Publisher.PublishAsync(alert);
        await _aws.Publisher.PublishAsync(alert);
        await _quiescence.WaitAsync();

        Assert.Equal(before.Count, (await InboxAsync(ward)).Count);
    }

    private sealed record Ward(string TeamName, string PatientName, HealthFlowApi.Session Patient, string Suffix, Dictionary<string, string> Usernames)
    {
        public string Address(string role) => $"{role}-{Suffix}@ward.example.org";
    }

    /// <summary>
    /// A new care team with a new patient and four clinicians, each with their settings saved: on call for high alerts,
    /// on call with nothing chosen, off call with everything chosen; and an on-call clinician of another team.
    /// </summary>
    private async Task<Ward> WardAsync()
    {
        var admin = await _api.LoginAdminAsync();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var teamName = $"Notify {suffix}";
        var team = await CareTeamClinic.CreateTeamAsync(_api, admin, teamName);
        var other = await CareTeamClinic.CreateTeamAsync(_api, admin, $"Other {suffix}");
        var patientName = $"Perpetua Notifytest{suffix}";
        var patient = await _api.RegisterPatientAsync(patientName);
        Assert.Equal(HttpStatusCode.NoContent, (await _api.PostAsync(admin, $"/api/care-teams/{team}/patients", new { patientId = patient.PatientId })).StatusCode);
        var ward = new Ward(teamName, patientName, patient, suffix, []);
        foreach (var (role, teamId, events, onCall) in new[]
        {
            ("on-call-high", team, new[] { "high-alert" }, true),
            ("on-call-nothing-chosen", team, Array.Empty<string>(), true),
            ("off-call", team, new[] { "high-alert", "escalation", "missed-check-in" }, false),
            ("other-team", other, new[] { "high-alert", "escalation", "missed-check-in" }, true),
        })
        {
            var credentials = await _api.CreateClinicianAsync();
            ward.Usernames[role] = credentials.Username;
            Assert.Equal(HttpStatusCode.NoContent, (await _api.PostAsync(admin, $"/api/care-teams/{teamId}/clinicians", new { clinicianId = credentials.Username })).StatusCode);
            var clinician = await _api.LoginAsync(credentials.Username, credentials.Password);
            var saved = await _api.SendAsync(clinician, HttpMethod.Put, SettingsPath, new { email = ward.Address(role), events, onCall });
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        }

        // Memberships reach notifier through the care-team projection: wait until the team is whole in the read model.
        await Eventually.UntilAsync(async () =>
        {
            var listed = (await _api.GetJsonAsync(admin, "/api/care-teams"))["items"]!.AsArray()
                .SingleOrDefault(t => t!["careTeamId"]!.GetValue<string>() == team.ToString());
            return listed is not null && listed["clinicians"]!.AsArray().Count == 3 && listed["patients"]!.AsArray().Count == 1;
        }, $"care team {teamName} projected with its clinicians and patient");
        return ward;
    }

    /// <summary>maildev's inbox, the messages to this ward's addresses only (other tests send too).</summary>
    private async Task<IReadOnlyList<JsonObject>> InboxAsync(Ward ward) =>
        [.. (await _mailDev.GetFromJsonAsync<JsonArray>("/api/email"))!
            .Select(m => m!.AsObject())
            .Where(m => To([m]).Any(address => address.EndsWith($"-{ward.Suffix}@ward.example.org", StringComparison.Ordinal)))];

    private static string Subject(JsonObject message) => message["subject"]!.GetValue<string>();

    private static IEnumerable<string> To(IEnumerable<JsonObject> messages) =>
        messages.SelectMany(m => m["to"]!.AsArray().Select(t => t!["address"]!.GetValue<string>()));

    public void Dispose()
    {
        _api.Http.Dispose();
        _mailDev.Dispose();
        _aws.Dispose();
        _quiescence.Dispose();
    }
}
