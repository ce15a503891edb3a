using System.Net;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthFlow.EndToEnd.Tests.Browser;

/// <summary>
/// A clinician sets a patient's monitoring plan on the patient's page (a field error from the API first, shown next
/// to its field), sees it in clinical words, and the patient then sees their schedule on the check-in page.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class MonitoringPlanBrowserTests(AppHostFixture system, ChromiumFixture chromium, ITestOutputHelper output)
    : IClassFixture<ChromiumFixture>
{
    [BrowserFact]
    public async Task A_clinician_sets_a_plan_on_the_patient_page_and_the_patient_sees_the_schedule()
    {
        SetDefaultExpectTimeout(30_000);
        var axe = new AccessibilityAudit(output);
        var api = new HealthFlowApi(system.CreateGatewayClient());
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (username, password, displayName) = ($"pp{suffix}", $"plan-pass-{suffix}", $"Plan Patient {suffix}");
        await WebApps.WaitUntilServingAsync(system.PatientAppUrl);
        await WebApps.WaitUntilServingAsync(system.ClinicianAppUrl);

        // The patient registers in their app: no plan yet, so no schedule above the check-in form.
        var patientPage = await chromium.NewPageAsync();
        await WebApps.RegisterPatientAsync(patientPage, system.PatientAppUrl, username, displayName, password);
        await Expect(patientPage.GetByTestId("checkin-schedule")).ToHaveCountAsync(0);
        var patientId = (await api.LoginAsync(username, password)).PatientId!.Value;

        var (clinician, clinicianSession) = await api.CreateWardClinicianAsync();
        var page = await chromium.NewPageAsync();
        await WebApps.SignInAsync(page, system.ClinicianAppUrl, clinician.Username, clinician.Password);
        await Eventually.UntilAsync(
            async () => (await api.GetAsync(clinicianSession, $"/api/patients/{patientId}")).IsSuccessStatusCode,
            "the clinician to see the new patient");
        await page.GotoAsync(new Uri(system.ClinicianAppUrl, $"/patients/{patientId}").ToString());
        await Expect(page.GetByTestId("patient-name")).ToContainTextAsync(displayName);
        await Expect(page.GetByTestId("plan-none")).ToContainTextAsync("No plan yet");
        await axe.CheckAsync(page, "patient page without a plan, form closed");

        await page.GetByRole(AriaRole.Button, new() { Name = "Set a plan" }).ClickAsync();
        await Expect(page.GetByTestId("plan-form")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Radio, new() { Name = "Every few hours" }).CheckAsync();
        var everyHours = page.GetByLabel("Hours between check-ins");
        await everyHours.FillAsync("200");
        await page.GetByLabel("Time zone").FillAsync("Europe/London");
        await page.GetByLabel("Grace (minutes)").FillAsync("60");
        await page.GetByRole(AriaRole.Radio, new() { Name = "Scale 2 (hypercapnic respiratory failure)" }).CheckAsync();
        await page.GetByLabel("Alert below (Heart rate)").FillAsync("55");
        await page.GetByLabel("Severity (Heart rate)").SelectOptionAsync("high");
        await page.GetByLabel("Reason for this plan (required)").FillAsync("COPD with CO2 retention; on bisoprolol.");
        await axe.CheckAsync(page, "patient page, plan form open");

        // The API refuses 200 hours: its problem names schedule.everyHours, shown at that input, the rest kept.
        await page.GetByTestId("plan-save").ClickAsync();
        await Expect(page.GetByTestId("plan-error-schedule.everyHours")).ToContainTextAsync("EveryHours must be from 1 to 168.");
        await Expect(everyHours).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(everyHours).ToBeFocusedAsync();
        await Expect(page.GetByTestId("plan-thresholds-heartRate-low")).ToHaveValueAsync("55");
        await ScreenshotArtifacts.SaveAsync(page, "clinician-monitoring-plan-form-error", output);
        await axe.CheckAsync(page, "patient page, plan form with a field error");

        await everyHours.FillAsync("8");
        await page.GetByTestId("plan-save").ClickAsync();
        await Expect(page.GetByTestId("plan-status")).ToHaveTextAsync("Plan version 1 saved.");
        await Expect(page.GetByTestId("plan-form")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("plan-schedule")).ToHaveTextAsync("Check-ins every 8 h, 60 min grace, Europe/London");
        await Expect(page.GetByTestId("plan-spo2")).ToHaveTextAsync("SpO₂ scale 2, target 88–92 %");
        await Expect(page.GetByTestId("plan-thresholds")).ToContainTextAsync("Heart rate: alert below 55 /min (high)");
        await Expect(page.GetByTestId("plan-provenance")).ToContainTextAsync(clinician.Username);
        await Expect(page.GetByTestId("plan-reason")).ToHaveTextAsync("COPD with CO2 retention; on bisoprolol.");
        await ScreenshotArtifacts.SaveAsync(page, "clinician-monitoring-plan", output);
        await axe.CheckAsync(page, "patient page with a plan, form closed");

        // Read back from query-api once its read model has it: a fresh page shows the same plan, version 1.
        await Eventually.UntilAsync(
            async () => (await api.GetAsync(clinicianSession, $"/api/patients/{patientId}/monitoring-plan")).StatusCode == HttpStatusCode.OK,
            "the plan in query-api's read model");
        await page.ReloadAsync();
        await Expect(page.GetByTestId("plan-version")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("plan-spo2")).ToHaveTextAsync("SpO₂ scale 2, target 88–92 %");

        // The patient's check-in page now says how often they are asked to check in.
        await patientPage.ReloadAsync();
        await Expect(patientPage.GetByTestId("checkin-schedule")).ToContainTextAsync("Your care team asks you to check in every 8 hours.");
        await Expect(patientPage.GetByTestId("checkin-next-due")).ToContainTextAsync("Next check-in due by");
        await axe.CheckAsync(patientPage, "check-in page with the care team's schedule");

        axe.AssertNone();
    }
}
