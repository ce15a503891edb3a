using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthFlow.EndToEnd.Tests.Browser;

/// <summary>A patient checks in with alarming vitals; clinicians see the alert arrive live and acknowledge it.</summary>
[Collection(AppHostCollection.Name)]
public sealed class LiveAlertBrowserTests(AppHostFixture system, ChromiumFixture chromium, ITestOutputHelper output)
    : IClassFixture<ChromiumFixture>
{
    [BrowserFact]
    public async Task Alarming_check_in_appears_live_in_the_clinician_inbox_and_moves_to_acknowledged()
    {
        SetExpectTimeout();
        var axe = new AccessibilityAudit(output);
        await WebApps.WaitUntilServingAsync(system.PatientAppUrl);
        await WebApps.WaitUntilServingAsync(system.ClinicianAppUrl);

        // Two clinicians: one acknowledges; the other, who does nothing, must see it change through the stream alone.
        var api = new HealthFlowApi(system.CreateGatewayClient());
        var acknowledging = (await api.CreateWardClinicianAsync()).Credentials;
        var signIn = await chromium.NewPageAsync();
        await signIn.GotoAsync(new Uri(system.ClinicianAppUrl, "/sign-in").ToString());
        await Expect(signIn.GetByTestId("login-submit")).ToBeVisibleAsync();
        await axe.CheckAsync(signIn, "clinician sign-in");
        var inbox = await chromium.NewPageAsync();
        await WebApps.OpenLiveInboxAsync(inbox, system.ClinicianAppUrl, acknowledging, status: "open");
        var colleague = await chromium.NewPageAsync();
        await WebApps.OpenLiveInboxAsync(colleague, system.ClinicianAppUrl, (await api.CreateWardClinicianAsync()).Credentials, status: "all");
        var inboxWatch = PageWatch.Start(inbox);
        var colleagueWatch = PageWatch.Start(colleague);

        var suffix = Guid.NewGuid().ToString("N")[..8];
        var displayName = $"Browser Patient {suffix}";
        var patient = await chromium.NewPageAsync();
        await WebApps.RegisterPatientAsync(patient, system.PatientAppUrl, $"bp{suffix}", displayName, $"pass-{suffix}-word");

        // NEWS2: respiration 28 (3), SpO2 88 (3), systolic 88 (3), pulse 135 (3), new confusion (3), 39.5 °C (2) = 17, high.
        await patient.GetByLabel("Symptom score").FillAsync("9");
        await patient.GetByLabel("Heart rate").FillAsync("135");
        await patient.GetByLabel("Respiratory rate").FillAsync("28");
        await patient.GetByLabel("Oxygen saturation").FillAsync("88");
        await patient.GetByLabel("Systolic blood pressure").FillAsync("88");
        await patient.GetByLabel("Diastolic blood pressure").FillAsync("55");
        await patient.GetByLabel("Temperature").FillAsync("39.5");
        await patient.GetByLabel("Alertness").SelectOptionAsync("confusion");
        await ScreenshotArtifacts.SaveAsync(patient, "patient-check-in", output);
        await axe.CheckAsync(patient, "patient check-in, filled in");
        await patient.GetByTestId("checkin-submit").ClickAsync();
        await Expect(patient.GetByTestId("checkin-confirmation")).ToContainTextAsync("Check-in received");
        await axe.CheckAsync(patient, "patient check-in, confirmed");

        var row = WebApps.AlertRow(inbox, displayName, "high");
        await Expect(row).ToBeVisibleAsync();
        await Expect(row).ToHaveAttributeAsync("data-status", "open");
        await Expect(row.GetByTestId("alert-reasons")).ToContainTextAsync("respiratoryRate");
        await Expect(inbox.GetByTestId("new-high-alert-banner")).ToContainTextAsync(displayName);
        await Expect(WebApps.AlertRow(colleague, displayName, "high")).ToBeVisibleAsync();
        Assert.Equal(0, inboxWatch.Navigations);
        Assert.Empty(inboxWatch.AlertListFetches);
        await ScreenshotArtifacts.SaveAsync(inbox, "clinician-inbox-new-high-alert", output);
        await axe.CheckAsync(inbox, "clinician inbox with a new high alert");

        var alertId = await row.GetAttributeAsync("data-alert-id");
        Assert.False(string.IsNullOrEmpty(alertId));
        await row.GetByTestId("ack-open").ClickAsync();
        await row.GetByTestId("ack-note").FillAsync("Called the patient; ambulance arranged.");
        await axe.CheckAsync(inbox, "clinician inbox, acknowledging");
        await row.GetByTestId("ack-confirm").ClickAsync();
        await Expect(inbox.GetByTestId("ack-status")).ToContainTextAsync($"Alert for {displayName} acknowledged.");
        await Expect(inbox.Locator($"[data-alert-id='{alertId}']")).ToHaveCountAsync(0);

        // The colleague made no request of their own: only the stream can have told their page.
        var colleagueRow = colleague.Locator($"[data-alert-id='{alertId}']");
        await Expect(colleagueRow).ToHaveAttributeAsync("data-status", "acknowledged");
        await Expect(colleagueRow.GetByTestId("alert-acknowledged-by")).ToContainTextAsync(acknowledging.Username);
        Assert.Equal(0, colleagueWatch.Navigations);
        Assert.Empty(colleagueWatch.AlertListFetches);
        await ScreenshotArtifacts.SaveAsync(colleague, "clinician-inbox-acknowledged", output);
        await axe.CheckAsync(colleague, "clinician inbox, all statuses, acknowledged");

        // The clinician's other pages: the patient list and the patient's page (chart, table, alert history).
        await colleague.GetByTestId("nav-patients").ClickAsync();
        await Expect(colleague.GetByTestId("patient-table")).ToBeVisibleAsync();
        await axe.CheckAsync(colleague, "clinician patient list");
        await colleague.GetByTestId("patient-table").GetByText(displayName).ClickAsync();
        await Expect(colleague.GetByTestId("patient-name")).ToContainTextAsync(displayName);
        await axe.CheckAsync(colleague, "clinician patient page");

        await inbox.GetByTestId("filter-status").SelectOptionAsync("acknowledged");
        await Expect(inbox.Locator($"[data-alert-id='{alertId}']")).ToHaveAttributeAsync("data-status", "acknowledged");

        // The patient sees the clinician's acknowledgement on their own alerts page (the read model is eventually consistent).
        await patient.GetByTestId("nav-alerts").ClickAsync();
        var acknowledgedForPatient = patient.Locator("[data-testid=alert-history-item][data-severity=high][data-status=acknowledged]");
        await Eventually.UntilAsync(
            async () =>
            {
                await patient.GetByTestId("alerts-refresh").ClickAsync();
                await Expect(patient.GetByTestId("alert-history").Or(patient.GetByTestId("alerts-empty"))).ToBeVisibleAsync();
                return await acknowledgedForPatient.CountAsync() == 1;
            },
            "the patient's alert to show as acknowledged",
            TimeSpan.FromSeconds(30));
        await ScreenshotArtifacts.SaveAsync(patient, "patient-my-alerts", output);
        await axe.CheckAsync(patient, "patient my alerts");
        await patient.GetByTestId("nav-history").ClickAsync();
        await Expect(patient.GetByTestId("nav-history")).ToBeVisibleAsync();
        await axe.CheckAsync(patient, "patient history");

        axe.AssertNone();
    }

    private static void SetExpectTimeout() => SetDefaultExpectTimeout(30_000);
}
