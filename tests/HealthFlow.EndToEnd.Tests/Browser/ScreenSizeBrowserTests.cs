using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthFlow.EndToEnd.Tests.Browser;

/// <summary>
/// Both apps on a phone (360 × 740) and on a desktop (1280 × 900): no page scrolls sideways, no chart sticks out of
/// its card, a wide table is reachable by keyboard, and axe finds nothing. A screenshot of each page at each size is
/// kept in the test artifacts (`screen-<size>-<page>.png`).
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ScreenSizeBrowserTests(AppHostFixture system, ChromiumFixture chromium, ITestOutputHelper output)
    : IClassFixture<ChromiumFixture>
{
    private static readonly (string Name, ViewportSize Size)[] Screens =
    [
        ("phone", new ViewportSize { Width = 360, Height = 740 }),
        ("desktop", new ViewportSize { Width = 1280, Height = 900 }),
    ];

    [BrowserFact]
    public async Task Every_page_fits_a_phone_and_a_desktop_screen_and_passes_axe_at_both()
    {
        SetDefaultExpectTimeout(30_000);
        await WebApps.WaitUntilServingAsync(system.PatientAppUrl);
        await WebApps.WaitUntilServingAsync(system.ClinicianAppUrl);
        var api = new HealthFlowApi(system.CreateGatewayClient());
        var ((username, password), patient) = await api.RegisterPatientWithCredentialsAsync("Screen Patient");
        // Enough history for the charts and the table: a calm check-in, then an alarming one with every vital sign.
        await api.CheckInAsync(patient, new { score = 3, heartRate = 78, respiratoryRate = 16, oxygenSaturation = 97, systolicBp = 124, diastolicBp = 80, temperature = 36.9, consciousness = "alert" });
        await api.CheckInAsync(patient, new { score = 8, heartRate = 124, respiratoryRate = 25, oxygenSaturation = 91, systolicBp = 98, diastolicBp = 60, temperature = 38.6, consciousness = "alert", note = "Short of breath climbing the stairs this morning." });
        var (clinicianCredentials, clinician) = await api.CreateWardClinicianAsync();
        await Eventually.UntilAsync(async () => (await api.AlertsForPatientAsync(clinician, patient.PatientId!.Value)).Count > 0, "the alert");

        var axe = new AccessibilityAudit(output);
        var overflows = new List<string>();
        foreach (var (screen, size) in Screens)
        {
            var patientPage = await chromium.NewPageAsync(size);
            await WebApps.SignInAsync(patientPage, system.PatientAppUrl, username, password);
            await Expect(patientPage.GetByTestId("checkin-form")).ToBeVisibleAsync();
            await VisitAsync(patientPage, screen, "patient-check-in");
            await patientPage.GetByTestId("nav-history").ClickAsync();
            await Expect(patientPage.GetByTestId("observation-row")).ToHaveCountAsync(2);
            await VisitAsync(patientPage, screen, "patient-history");

            var clinicianPage = await chromium.NewPageAsync(size);
            await WebApps.SignInAsync(clinicianPage, system.ClinicianAppUrl, clinicianCredentials.Username, clinicianCredentials.Password);
            await Expect(clinicianPage.GetByTestId("worklist").Or(clinicianPage.GetByTestId("worklist-empty"))).ToBeVisibleAsync();
            await VisitAsync(clinicianPage, screen, "clinician-inbox");
            await clinicianPage.GotoAsync(new Uri(system.ClinicianAppUrl, $"/patients/{patient.PatientId}").ToString());
            await Expect(clinicianPage.GetByTestId("observation-row")).ToHaveCountAsync(2);
            await Expect(clinicianPage.Locator(".chart").First).ToBeVisibleAsync();
            await VisitAsync(clinicianPage, screen, "clinician-patient");

            await patientPage.Context.CloseAsync();
            await clinicianPage.Context.CloseAsync();
        }

        Assert.True(overflows.Count == 0, "Wider than the screen:\n" + string.Join("\n", overflows));
        axe.AssertNone();

        async Task VisitAsync(IPage page, string screen, string name)
        {
            var state = $"{name} on a {screen}";
            // Sideways scrolling of the page itself, and any chart wider than the card it sits in.
            var pageOverflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            if (pageOverflow > 0)
            {
                overflows.Add($"{state}: the page scrolls {pageOverflow} px sideways");
            }

            var chartOverflow = await page.EvaluateAsync<int>("""
                () => Math.max(0, ...[...document.querySelectorAll('.chart')].map(chart => {
                  const card = chart.closest('.card') ?? document.body;
                  return Math.ceil(chart.getBoundingClientRect().right - card.getBoundingClientRect().right);
                }))
                """);
            if (chartOverflow > 0)
            {
                overflows.Add($"{state}: a chart sticks {chartOverflow} px out of its card");
            }

            await axe.CheckAsync(page, state);
            await ScreenshotArtifacts.SaveAsync(page, $"screen-{screen}-{name}", output);
        }
    }
}
