using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthFlow.EndToEnd.Tests.Browser;

/// <summary>A clinician watching the inbox sees an unacknowledged alert escalate: badge, first place, no reload.</summary>
[Collection(AppHostCollection.Name)]
public sealed class EscalationBrowserTests(AppHostFixture system, ChromiumFixture chromium, ITestOutputHelper output)
    : IClassFixture<ChromiumFixture>
{
    [BrowserFact]
    public async Task An_unacknowledged_alert_gets_its_escalation_badge_live_at_the_top_of_the_inbox()
    {
        SetDefaultExpectTimeout(30_000);
        var axe = new AccessibilityAudit(output);
        await WebApps.WaitUntilServingAsync(system.ClinicianAppUrl);
        var api = new HealthFlowApi(system.CreateGatewayClient());
        var inbox = await chromium.NewPageAsync();
        await WebApps.OpenLiveInboxAsync(inbox, system.ClinicianAppUrl, (await api.CreateWardClinicianAsync()).Credentials, status: "open");
        var watch = PageWatch.Start(inbox);

        // A medium alert (score rule), whose 10 s deadline leaves time to see it arrive unescalated first.
        var displayName = $"Escalation Patient {Guid.NewGuid().ToString("N")[..8]}";
        var patient = await api.RegisterPatientAsync(displayName);
        await api.CheckInAsync(patient, new { score = 9 });

        var row = WebApps.AlertRow(inbox, displayName, "medium");
        await Expect(row).ToBeVisibleAsync();
        await Expect(row).ToHaveAttributeAsync("data-escalated", "false");
        await Expect(row.GetByTestId("escalated-badge")).ToHaveCountAsync(0);

        // Nobody acknowledges it: at its deadline the stream brings the escalation.
        await Expect(row.GetByTestId("escalated-badge")).ToHaveTextAsync("Escalated");
        await Expect(row).ToHaveAttributeAsync("data-escalated", "true");
        await Expect(row.GetByTestId("alert-escalated-at")).ToContainTextAsync("escalated");
        // Escalated open alerts come first, and it is the most recently raised of them.
        await Expect(inbox.GetByTestId("alert-row").First).ToHaveAttributeAsync("data-alert-id", (await row.GetAttributeAsync("data-alert-id"))!);
        Assert.Equal(0, watch.Navigations);
        Assert.Empty(watch.AlertListFetches);
        await ScreenshotArtifacts.SaveAsync(inbox, "clinician-inbox-escalated-alert", output);
        await axe.CheckAsync(inbox, "clinician inbox with an escalated alert");

        axe.AssertNone();
    }
}
