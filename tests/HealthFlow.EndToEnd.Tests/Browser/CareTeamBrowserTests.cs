using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthFlow.EndToEnd.Tests.Browser;

/// <summary>
/// An admin builds a care team on the admin page; its clinician's inbox then shows that team's patient and no
/// one else's; the admin reads the patient's audit trail, which names the clinician.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class CareTeamBrowserTests(AppHostFixture system, ChromiumFixture chromium, ITestOutputHelper output)
    : IClassFixture<ChromiumFixture>
{
    [BrowserFact]
    public async Task An_admin_builds_a_team_and_its_clinician_sees_only_that_teams_patient()
    {
        SetDefaultExpectTimeout(30_000);
        var axe = new AccessibilityAudit(output);
        await WebApps.WaitUntilServingAsync(system.ClinicianAppUrl);
        var api = new HealthFlowApi(system.CreateGatewayClient());
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var mine = await api.RegisterPatientAsync($"Team Patient {suffix}");
        var other = await api.RegisterPatientAsync($"Other Patient {suffix}");
        var (clinician, password) = ($"cb{suffix}", $"ward-pass-{suffix}");
        var teamName = $"Ward {suffix}";

        // The admin: a clinician account, a team, and its two members, all on the admin page.
        var admin = await chromium.NewPageAsync();
        await WebApps.SignInAsync(admin, system.ClinicianAppUrl, CareTeamClinic.DemoAdmin, CareTeamClinic.DemoAdminPassword);
        await Expect(admin.GetByTestId("care-team-list")).ToBeVisibleAsync();
        await axe.CheckAsync(admin, "admin page");
        await admin.GetByTestId("new-clinician-username").FillAsync(clinician);
        await admin.GetByTestId("new-clinician-name").FillAsync($"Dr {suffix}");
        await admin.GetByTestId("new-clinician-password").FillAsync(password);
        await admin.GetByTestId("new-clinician-submit").ClickAsync();
        await Expect(admin.GetByTestId("admin-status")).ToContainTextAsync($"Clinician {clinician} created.");
        await admin.GetByTestId("new-team-name").FillAsync(teamName);
        await admin.GetByTestId("new-team-submit").ClickAsync();
        var team = admin.Locator($"[data-testid=care-team][data-team-name='{teamName}']");
        await Expect(team).ToBeVisibleAsync();
        await team.GetByTestId("add-clinician").FillAsync(clinician);
        await team.GetByTestId("add-clinician-submit").ClickAsync();
        await Expect(team.GetByTestId("team-clinicians")).ToContainTextAsync(clinician);
        await team.GetByTestId("add-patient").FillAsync(mine.PatientId.ToString()!);
        await team.GetByTestId("add-patient-submit").ClickAsync();
        await Expect(team.GetByTestId("team-patients")).ToContainTextAsync(mine.PatientId.ToString()!);
        await ScreenshotArtifacts.SaveAsync(admin, "admin-care-teams", output);
        await axe.CheckAsync(admin, "admin page with a team");

        await api.CheckInAsync(other, new { score = 10 });
        await api.CheckInAsync(mine, new { score = 10 });

        // The clinician: their team named, their patient's alert in the inbox, the other patient nowhere.
        var inbox = await chromium.NewPageAsync();
        await WebApps.SignInAsync(inbox, system.ClinicianAppUrl, clinician, password);
        await Expect(inbox.GetByTestId("my-care-teams")).ToContainTextAsync(teamName);
        await WebApps.ShowAlertListAsync(inbox);
        await inbox.GetByTestId("filter-status").SelectOptionAsync("all");
        await Expect(WebApps.AlertRow(inbox, mine.DisplayName, "medium")).ToBeVisibleAsync();
        await Expect(inbox.GetByText(other.DisplayName)).ToHaveCountAsync(0);
        await Expect(inbox.GetByTestId("alert-list").Locator("[data-testid=alert-row]")).ToHaveCountAsync(1);
        await ScreenshotArtifacts.SaveAsync(inbox, "clinician-filtered-inbox", output);
        await axe.CheckAsync(inbox, "clinician inbox filtered by care team");
        await inbox.GetByTestId("nav-patients").ClickAsync();
        await Expect(inbox.GetByTestId("patient-row")).ToHaveCountAsync(1);
        await Expect(inbox.GetByTestId("patient-table")).ToContainTextAsync(mine.DisplayName);

        // The admin reads the patient's trail: the clinician's reads are there.
        await admin.GetByTestId("audit-patient").FillAsync(mine.PatientId.ToString()!);
        var fromClinician = admin.Locator($"[data-testid=audit-row][data-actor='{clinician}'][data-outcome=allowed]");
        await Eventually.UntilAsync(
            async () =>
            {
                await admin.GetByTestId("audit-submit").ClickAsync();
                await Expect(admin.GetByTestId("audit-table")).ToBeVisibleAsync();
                return await fromClinician.CountAsync() > 0;
            },
            "the clinician's reads in the patient's audit trail");
        await axe.CheckAsync(admin, "admin page with an audit trail");
        axe.AssertNone();
    }
}
