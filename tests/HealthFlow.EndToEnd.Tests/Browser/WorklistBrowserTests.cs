using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthFlow.EndToEnd.Tests.Browser;

/// <summary>
/// The inbox's default view: a patient with several open alerts is one worklist row; the clinician expands it and
/// acknowledges all, one command per alert, and the row leaves the worklist.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class WorklistBrowserTests(AppHostFixture system, ChromiumFixture chromium, ITestOutputHelper output)
    : IClassFixture<ChromiumFixture>
{
    [BrowserFact]
    public async Task A_patient_with_several_open_alerts_is_one_row_that_leaves_the_worklist_once_all_are_acknowledged()
    {
        SetDefaultExpectTimeout(30_000);
        var axe = new AccessibilityAudit(output);
        await WebApps.WaitUntilServingAsync(system.ClinicianAppUrl);
        var api = new HealthFlowApi(system.CreateGatewayClient());
        // A team of its own, so the row is in this clinician's worklist however many other tests' patients have open alerts.
        var displayName = $"Worklist Patient {Guid.NewGuid().ToString("N")[..8]}";
        var (credentials, patient) = await CareTeamClinic.TeamOfOneAsync(api, "Worklist", displayName);
        var patientId = patient.PatientId!.Value;
        var clinician = await api.LoginAsync(credentials.Username, credentials.Password);

        // Three alarming check-ins: three alerts, one per check-in, for one patient.
        await api.CheckInAsync(patient, new { score = 9, heartRate = 95, respiratoryRate = 22, oxygenSaturation = 94, temperature = 37.5, consciousness = "alert" });
        await api.CheckInAsync(patient, new { score = 9 });
        await api.CheckInAsync(patient, new { score = 9, heartRate = 125, respiratoryRate = 26, oxygenSaturation = 90, temperature = 38.5, consciousness = "alert" });
        await Eventually.UntilAsync(async () => (await api.AlertsForPatientAsync(clinician, patientId, status: "open")).Count == 3,
            "the patient's three alerts to be open");

        var page = await chromium.NewPageAsync();
        await WebApps.SignInAsync(page, system.ClinicianAppUrl, credentials.Username, credentials.Password);
        await Expect(page.GetByTestId("view-worklist")).ToHaveAttributeAsync("aria-current", "page");
        await Expect(page.GetByTestId("stream-status")).ToHaveAttributeAsync("data-state", "live");
        var row = page.Locator($"[data-testid=worklist-row][data-patient-id='{patientId}']");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToHaveAttributeAsync("data-open-alerts", "3");
        await Expect(row.GetByTestId("worklist-open-count")).ToHaveTextAsync("3 open alerts");
        await Expect(row.GetByTestId("worklist-news2")).ToContainTextAsync("NEWS2");
        await Expect(row.GetByTestId("worklist-waited")).ToContainTextAsync("oldest waiting");
        await ScreenshotArtifacts.SaveAsync(page, "clinician-worklist", output);
        await axe.CheckAsync(page, "clinician worklist, collapsed");

        var expand = row.GetByRole(AriaRole.Button, new() { Name = $"Show alerts for {displayName}" });
        await Expect(expand).ToHaveAttributeAsync("aria-expanded", "false");
        await expand.ClickAsync();
        await Expect(row.GetByTestId("worklist-expand")).ToHaveAttributeAsync("aria-expanded", "true");
        var alerts = row.GetByTestId("worklist-alerts").GetByTestId("alert-row");
        await Expect(alerts).ToHaveCountAsync(3);
        await Expect(alerts.And(page.Locator("[data-status=open]"))).ToHaveCountAsync(3);
        await ScreenshotArtifacts.SaveAsync(page, "clinician-worklist-expanded", output);
        await axe.CheckAsync(page, "clinician worklist, expanded");

        var acknowledgements = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Method == "POST" && request.Url.EndsWith("/acknowledge", StringComparison.Ordinal))
            {
                lock (acknowledgements)
                {
                    acknowledgements.Add(request.Url);
                }
            }
        };
        await row.GetByTestId("worklist-ack-all").ClickAsync();

        await Expect(row).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("worklist-status")).ToHaveTextAsync($"3 alerts for {displayName} acknowledged.");
        Assert.True(await page.EvaluateAsync<bool>("() => document.activeElement !== null && document.activeElement !== document.body"),
            "focus went to the page body when the row left");
        lock (acknowledgements)
        {
            Assert.Equal(3, acknowledgements.Distinct().Count());
        }

        var stored = await api.AlertsForPatientAsync(clinician, patientId);
        Assert.Equal(3, stored.Count);
        AssertNonEmpty.All(stored, alert => Assert.Equal(("acknowledged", credentials.Username),
            (alert["status"]!.GetValue<string>(), alert["acknowledgedBy"]!.GetValue<string>())));
        // The stream brings the acknowledgements back; the row stays gone, and a fresh worklist agrees.
        await Eventually.UntilAsync(async () => (await api.GetJsonAsync(clinician, $"/api/worklist?patientId={patientId}"))["items"]!.AsArray().Count == 0,
            "the server's worklist to have no row for the patient");
        await page.ReloadAsync();
        await Expect(page.GetByTestId("stream-status")).ToHaveAttributeAsync("data-state", "live");
        await Expect(page.GetByTestId("worklist").Or(page.GetByTestId("worklist-empty"))).ToBeVisibleAsync();
        await Expect(row).ToHaveCountAsync(0);
        await axe.CheckAsync(page, "clinician worklist, after acknowledging all");

        axe.AssertNone();
    }
}
