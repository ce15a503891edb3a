using System.Globalization;
using System.Net;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthFlow.EndToEnd.Tests.Browser;

/// <summary>
/// A patient with a schedule sees on their check-in page when the next check-in is due, on the plan's clock; once
/// the due time passes the page shows an overdue banner of its own accord; a check-in within the grace clears it and
/// the page then names the next window. Real wall-clock minutes: schedules are minute-granular.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class CheckInScheduleBrowserTests(AppHostFixture system, ChromiumFixture chromium, ITestOutputHelper output)
    : IClassFixture<ChromiumFixture>
{
    private const string London = "Europe/London";

    [BrowserFact]
    public async Task The_patient_sees_the_due_time_then_an_overdue_banner_and_after_checking_in_the_next_due_time()
    {
        SetDefaultExpectTimeout(30_000);
        var axe = new AccessibilityAudit(output);
        var api = new HealthFlowApi(system.CreateGatewayClient());
        await WebApps.WaitUntilServingAsync(system.PatientAppUrl);
        var ((username, password), patient) = await api.RegisterPatientWithCredentialsAsync("Schedule Patient");

        // One check-in a day, due two minutes from now (on London's clock), with ten minutes' grace.
        var zone = TimeZoneInfo.FindSystemTimeZoneById(London);
        var now = DateTimeOffset.UtcNow;
        var due = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(2);
        var dueClock = TimeZoneInfo.ConvertTime(due, zone).ToString("HH:mm", CultureInfo.InvariantCulture);
        var set = await api.PutMonitoringPlanAsync(await api.LoginAdminAsync(), patient.PatientId!.Value, new
        {
            schedule = new { timesOfDay = new[] { dueClock }, timeZone = London, graceMinutes = 10 },
            reason = "Daily check-in after discharge.",
        });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        await Eventually.UntilAsync(
            async () => (await api.GetAsync(patient, $"/api/patients/{patient.PatientId}/check-in-status")).StatusCode == HttpStatusCode.OK,
            "the plan in query-api's read model");

        var page = await chromium.NewPageAsync();
        await WebApps.SignInAsync(page, system.PatientAppUrl, username, password);
        await Expect(page.GetByTestId("checkin-next-due")).ToContainTextAsync($"Next check-in due by {dueClock}");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await axe.CheckAsync(page, "check-in page, next check-in due");

        // The page reads the status again at the due time, and the server says it is overdue.
        var banner = page.GetByTestId("checkin-overdue");
        await Expect(banner).ToBeVisibleAsync(new() { Timeout = 180_000 });
        await Expect(banner).ToHaveAttributeAsync("role", "alert");
        await Expect(banner).ToContainTextAsync($"Check-in overdue. Your check-in due at {dueClock}");
        await ScreenshotArtifacts.SaveAsync(page, "patient-check-in-overdue", output);
        await axe.CheckAsync(page, "check-in page, overdue banner");

        // A check-in within the grace satisfies today's window: the banner goes and tomorrow's due time shows.
        await page.GetByLabel("Symptom score").FillAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send check-in" }).ClickAsync();
        await Expect(page.GetByTestId("checkin-confirmation")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("checkin-next-due")).ToContainTextAsync($"Next check-in due by {dueClock} tomorrow");
        await Expect(banner).ToHaveCountAsync(0);
        var status = await api.GetJsonAsync(patient, $"/api/patients/{patient.PatientId}/check-in-status");
        Assert.Equal((due.AddDays(1), false), (status["dueAt"]!.GetValue<DateTimeOffset>(), status["overdue"]!.GetValue<bool>()));
        await ScreenshotArtifacts.SaveAsync(page, "patient-check-in-next-due", output);
        await axe.CheckAsync(page, "check-in confirmation with the next due time");

        axe.AssertNone();
    }
}
