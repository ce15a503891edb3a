using System.Web;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthFlow.EndToEnd.Tests.Browser;

/// <summary>
/// The clinician's connection drops while an alert is raised: the inbox says it is not receiving alerts, and once the
/// connection is back it resumes the stream from the last event it saw, so the missed alert arrives without a reload.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class StreamDropBrowserTests(AppHostFixture system, ChromiumFixture chromium, ITestOutputHelper output)
    : IClassFixture<ChromiumFixture>
{
    [BrowserFact]
    public async Task An_alert_raised_while_the_clinician_is_offline_arrives_over_the_resumed_stream_once_the_connection_is_back()
    {
        SetDefaultExpectTimeout(30_000);
        var axe = new AccessibilityAudit(output);
        await WebApps.WaitUntilServingAsync(system.ClinicianAppUrl);
        var api = new HealthFlowApi(system.CreateGatewayClient());
        var (credentials, patient) = await CareTeamClinic.TeamOfOneAsync(api, "Drop", $"Drop Patient {Guid.NewGuid().ToString("N")[..8]}");
        var patientId = patient.PatientId!.Value;
        var clinician = await api.LoginAsync(credentials.Username, credentials.Password);

        var page = await chromium.NewPageAsync();
        await WebApps.OpenLiveInboxAsync(page, system.ClinicianAppUrl, credentials);
        var rows = page.GetByTestId("alert-row");

        // The first alert arrives live, so the page has an event id to resume from.
        await api.CheckInAsync(patient, new { score = 9, heartRate = 95, respiratoryRate = 22, oxygenSaturation = 94, temperature = 37.5, consciousness = "alert" });
        await Expect(rows).ToHaveCountAsync(1);
        // Watched from here: the list's own first loads (and the filter's) are done by the time the alert shows.
        var watch = PageWatch.Start(page);
        // What the page asked of the alert API, in order, in the test's output: the evidence if a resume goes wrong.
        var timeline = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Request += (_, request) =>
        {
            if (new Uri(request.Url).AbsolutePath.StartsWith("/api/alerts", StringComparison.Ordinal))
            {
                timeline.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {request.Method} {new Uri(request.Url).AbsolutePath}{(request.Url.Contains("lastEventId=", StringComparison.Ordinal) ? " (resuming)" : "")}");
            }
        };

        timeline.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} offline");
        await page.Context.SetOfflineAsync(true);
        var banner = page.GetByTestId("stream-down-banner");
        await Expect(banner).ToContainTextAsync("Not receiving alerts since");
        await Expect(page.GetByTestId("stream-status")).Not.ToHaveAttributeAsync("data-state", "live");
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { Has = banner })).ToBeVisibleAsync();
        await ScreenshotArtifacts.SaveAsync(page, "clinician-inbox-not-receiving-alerts", output);
        await axe.CheckAsync(page, "clinician inbox, not receiving alerts");

        await api.CheckInAsync(patient, new { score = 9, heartRate = 125, respiratoryRate = 26, oxygenSaturation = 90, temperature = 38.5, consciousness = "alert" });
        await Eventually.UntilAsync(async () => (await api.AlertsForPatientAsync(clinician, patientId, status: "open")).Count == 2,
            "the alert raised while the clinician was offline to be open");
        await Expect(rows).ToHaveCountAsync(1);

        timeline.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} online");
        await page.Context.SetOfflineAsync(false);

        await Expect(rows).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("stream-status")).ToHaveAttributeAsync("data-state", "live");
        await Expect(banner).ToHaveCountAsync(0);
        Assert.Equal(0, watch.Navigations);
        // The stream replayed the missed alert: no page of the list was fetched to catch up (a one-item probe of the
        // session while the ticket could not be fetched is not a page).
        output.WriteLine(string.Join(Environment.NewLine, timeline));
        Assert.Contains(timeline, line => line.EndsWith("/api/alerts/stream (resuming)", StringComparison.Ordinal));
        Assert.DoesNotContain(watch.AlertListFetches, url => HttpUtility.ParseQueryString(new Uri(url).Query)["limit"] != "1");

        axe.AssertNone();
    }
}
