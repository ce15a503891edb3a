using System.Collections.Concurrent;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthFlow.EndToEnd.Tests.Browser;

/// <summary>The patient's check-in form refuses implausible values in the browser, before any request.</summary>
[Collection(AppHostCollection.Name)]
public sealed class CheckInValidationBrowserTests(AppHostFixture system, ChromiumFixture chromium, ITestOutputHelper output)
    : IClassFixture<ChromiumFixture>
{
    [BrowserFact]
    public async Task Out_of_range_vitals_show_inline_errors_and_nothing_is_submitted()
    {
        SetDefaultExpectTimeout(30_000);
        await WebApps.WaitUntilServingAsync(system.PatientAppUrl);
        var api = new HealthFlowApi(system.CreateGatewayClient());
        var ((username, password), _) = await api.RegisterPatientWithCredentialsAsync("Validation Patient");

        var page = await chromium.NewPageAsync();
        var observationPosts = new ConcurrentQueue<string>();
        page.Request += (_, request) =>
        {
            if (request.Method == "POST" && new Uri(request.Url).AbsolutePath == "/api/observations")
            {
                observationPosts.Enqueue(request.Url);
            }
        };
        var axe = new AccessibilityAudit(output);
        await page.GotoAsync(new Uri(system.PatientAppUrl, "/sign-in").ToString());
        await Expect(page.GetByTestId("login-submit")).ToBeVisibleAsync();
        await axe.CheckAsync(page, "patient sign-in");
        await page.GetByTestId("register-link").ClickAsync();
        await Expect(page.GetByLabel("Confirm password")).ToBeVisibleAsync();
        await axe.CheckAsync(page, "patient registration");
        await WebApps.SignInAsync(page, system.PatientAppUrl, username, password);
        await axe.CheckAsync(page, "patient check-in, empty");

        await page.GetByLabel("Symptom score").FillAsync("12");
        await page.GetByLabel("Heart rate").FillAsync("400");
        await page.GetByLabel("Oxygen saturation").FillAsync("120");
        await page.GetByLabel("Temperature").FillAsync("50");
        await page.GetByTestId("checkin-submit").ClickAsync();

        await Expect(page.GetByTestId("checkin-error-summary")).ToContainTextAsync("Nothing was sent");
        await Expect(page.GetByTestId("checkin-error-score")).ToContainTextAsync("1 to 10");
        await Expect(page.GetByTestId("checkin-error-heartRate")).ToContainTextAsync("20 to 300");
        await Expect(page.GetByTestId("checkin-error-oxygenSaturation")).ToContainTextAsync("50 to 100");
        await Expect(page.GetByTestId("checkin-error-temperature")).ToContainTextAsync("25 to 45");
        await Expect(page.GetByLabel("Heart rate")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByLabel("Symptom score")).ToBeFocusedAsync();
        await ScreenshotArtifacts.SaveAsync(page, "patient-check-in-inline-errors", output);
        await axe.CheckAsync(page, "patient check-in, inline errors");
        Assert.Empty(observationPosts);

        // The same form, corrected, does send: proof that the counter above sees real submissions.
        await page.GetByLabel("Symptom score").FillAsync("4");
        await page.GetByLabel("Heart rate").FillAsync("80");
        await page.GetByLabel("Oxygen saturation").FillAsync("97");
        await page.GetByLabel("Temperature").FillAsync("37.1");
        await page.GetByTestId("checkin-submit").ClickAsync();
        await Expect(page.GetByTestId("checkin-confirmation")).ToBeVisibleAsync();
        Assert.Single(observationPosts);
        axe.AssertNone();
    }
}
