using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Xunit.Abstractions;
using HealthFlow.EndToEnd.Tests.Faults;
using static Microsoft.Playwright.Assertions;

namespace HealthFlow.EndToEnd.Tests.Browser;

/// <summary>
/// A patient's connection drops while a check-in is on its way: the check-in waits on the phone (IndexedDB) through a
/// reload, goes out when the connection is back, and the system stores it exactly once, measured when it was first
/// sent. The connection is cut for the API only (Playwright aborts the requests as a lost network does), so the page
/// itself can still reload, as a cached app would.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class CheckInOfflineBrowserTests(AppHostFixture system, ChromiumFixture chromium, ITestOutputHelper output)
    : IClassFixture<ChromiumFixture>
{
    [BrowserFact]
    public async Task A_check_in_sent_offline_survives_a_reload_and_is_stored_once_with_its_first_attempts_time()
    {
        SetDefaultExpectTimeout(30_000);
        await WebApps.WaitUntilServingAsync(system.PatientAppUrl);
        var api = new HealthFlowApi(system.CreateGatewayClient());
        var ((username, password), patient) = await api.RegisterPatientWithCredentialsAsync("Offline Patient");

        var page = await chromium.NewPageAsync();
        await WebApps.SignInAsync(page, system.PatientAppUrl, username, password);
        var attempts = new List<JsonObject>();
        await page.RouteAsync("**/api/observations", async route =>
        {
            lock (attempts)
            {
                attempts.Add(JsonNode.Parse(route.Request.PostData!)!.AsObject());
            }

            await route.AbortAsync("internetdisconnected");
        });

        await page.GetByLabel("Symptom score").FillAsync("6");
        await page.GetByLabel("Heart rate").FillAsync("96");
        await page.GetByTestId("checkin-submit").ClickAsync();
        await Expect(page.GetByTestId("checkin-waiting")).ToContainTextAsync("1 check-in is saved on this device and not sent yet.");
        var firstAttempt = attempts[0]["measuredAt"]!.GetValue<DateTimeOffset>();

        // Reloaded while still offline: the page finds the check-in, tries again, and still says it waits.
        await page.ReloadAsync();
        await Expect(page.GetByTestId("checkin-waiting-item")).ToHaveCountAsync(1);
        await ScreenshotArtifacts.SaveAsync(page, "patient-check-in-waiting-offline", output);

        // Back online: the browser says so, and the waiting check-in goes out.
        await page.UnrouteAllAsync(new PageUnrouteAllOptions { Behavior = UnrouteBehavior.Wait });
        await page.EvaluateAsync("() => window.dispatchEvent(new Event('online'))");
        await Expect(page.GetByTestId("checkin-sent-late")).ToContainTextAsync("has now been sent");

        var stored = await Eventually.GetAsync(
            async () => await api.ObservationsAsync(patient, patient.PatientId!.Value) is { Count: > 0 } found ? found : null,
            "the check-in to be stored");
        var observation = Assert.Single(stored);
        Assert.Equal(firstAttempt, observation["measuredAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(96, observation["heartRate"]!.GetValue<int>());
        // Counted where a second copy would show: the event store holds one ObservationSubmitted per append, whatever its id.
        using var store = new SystemEventStore(system.AwsEndpointUrl);
        Assert.Single(await store.ObservationsOfAsync(patient.PatientId!.Value));
        Assert.True(attempts.Count >= 2, $"The reload should have tried again while offline; {attempts.Count} attempt(s) seen.");
        AssertNonEmpty.All(attempts, a => Assert.Equal(firstAttempt, a["measuredAt"]!.GetValue<DateTimeOffset>()));
    }
}
