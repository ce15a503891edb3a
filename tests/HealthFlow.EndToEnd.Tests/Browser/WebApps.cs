using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HealthFlow.EndToEnd.Tests.Browser;

/// <summary>
/// The steps a person takes in the two web apps, by the test ids and labels in frontend/README.md.
/// </summary>
public static class WebApps
{
    /// <summary>The AppHost starts the Vite dev servers without a health check; wait until one serves its page.</summary>
    public static async Task WaitUntilServingAsync(Uri appUrl)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.UntilAsync(
            async () =>
            {
                try
                {
                    using var response = await http.GetAsync(appUrl);
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
                catch (TaskCanceledException)
                {
                    return false;
                }
            },
            $"the web app at {appUrl} to serve",
            TimeSpan.FromMinutes(2));
    }

    public static async Task SignInAsync(IPage page, Uri appUrl, string username, string password)
    {
        await page.GotoAsync(new Uri(appUrl, "/sign-in").ToString());
        await page.GetByTestId("login-username").FillAsync(username);
        await page.GetByTestId("login-password").FillAsync(password);
        await page.GetByTestId("login-submit").ClickAsync();
        await Expect(page.GetByTestId("signed-in-user")).ToBeVisibleAsync();
    }

    public static async Task RegisterPatientAsync(IPage page, Uri patientAppUrl, string username, string displayName, string password)
    {
        await page.GotoAsync(patientAppUrl.ToString());
        await page.GetByTestId("register-link").ClickAsync();
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Your name").FillAsync(displayName);
        await page.GetByLabel("Password", new PageGetByLabelOptions { Exact = true }).FillAsync(password);
        await page.GetByLabel("Confirm password").FillAsync(password);
        await page.GetByTestId("register-submit").ClickAsync();
        await Expect(page.GetByTestId("checkin-form")).ToBeVisibleAsync();
    }

    /// <summary>Opens the clinician inbox's list of alerts and waits until its Server-Sent Events stream is connected.</summary>
    public static async Task OpenLiveInboxAsync(IPage page, Uri clinicianAppUrl, HealthFlowApi.Credentials clinician, string status = "open")
    {
        await SignInAsync(page, clinicianAppUrl, clinician.Username, clinician.Password);
        await ShowAlertListAsync(page);
        await page.GetByTestId("filter-status").SelectOptionAsync(status);
        await Expect(page.GetByTestId("stream-status")).ToHaveAttributeAsync("data-state", "live");
    }

    /// <summary>The inbox opens on the worklist (one row per patient); the flat list of alerts is its other view.</summary>
    public static async Task ShowAlertListAsync(IPage page)
    {
        await page.GetByTestId("view-alerts").ClickAsync();
        await Expect(page.GetByTestId("view-alerts")).ToHaveAttributeAsync("aria-current", "page");
    }

    public static ILocator AlertRow(IPage page, string patientName, string severity) =>
        page.Locator($"[data-testid=alert-row][data-severity='{severity}']").Filter(new LocatorFilterOptions { HasText = patientName });
}
