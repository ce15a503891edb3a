using System.Text.Json;
using HealthFlow.Fhir.Tests;
using Hl7.Fhir.Model;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using Task = System.Threading.Tasks.Task;

namespace HealthFlow.EndToEnd.Tests.Browser;

/// <summary>A clinician saves a patient's record as a FHIR Bundle from the patient's page.</summary>
[Collection(AppHostCollection.Name)]
public sealed class FhirDownloadBrowserTests(AppHostFixture system, ChromiumFixture chromium, ProfileValidator validator, ITestOutputHelper output)
    : IClassFixture<ChromiumFixture>, IClassFixture<ProfileValidator>
{
    [BrowserFact]
    public async Task A_clinician_downloads_a_patients_FHIR_bundle_and_every_resource_in_it_validates()
    {
        SetDefaultExpectTimeout(30_000);
        var axe = new AccessibilityAudit(output);
        using var http = system.CreateGatewayClient();
        var api = new HealthFlowApi(http);
        var patient = await api.RegisterPatientAsync("Download Patient");
        var (credentials, clinician) = await api.CreateWardClinicianAsync();
        var checkInId = await api.CheckInAsync(patient, new { heartRate = 135, respiratoryRate = 28, systolicBp = 88, diastolicBp = 55, score = 9 });
        await Eventually.UntilAsync(async () => (await api.AlertsForPatientAsync(clinician, patient.PatientId!.Value)).Count > 0, "the alert");

        await WebApps.WaitUntilServingAsync(system.ClinicianAppUrl);
        var page = await chromium.NewPageAsync();
        await WebApps.SignInAsync(page, system.ClinicianAppUrl, credentials.Username, credentials.Password);
        await page.GotoAsync(new Uri(system.ClinicianAppUrl, $"/patients/{patient.PatientId}").ToString());
        await Expect(page.GetByTestId("patient-name")).ToContainTextAsync("Download Patient");
        await ScreenshotArtifacts.SaveAsync(page, "clinician-patient-fhir-download", output);
        await axe.CheckAsync(page, "clinician patient page with the FHIR download");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("download-fhir").ClickAsync());

        Assert.Equal($"patient-{patient.PatientId}-fhir.json", download.SuggestedFilename);
        var bundle = JsonSerializer.Deserialize<Bundle>(await File.ReadAllTextAsync((await download.PathAsync())!), FhirClient.Json)!;
        validator.AssertValid(bundle);
        Assert.Equal(patient.PatientId.ToString(), Assert.IsType<Patient>(bundle.Entry[0].Resource).Id);
        Assert.Contains(bundle.Entry, e => e.Resource is Observation { Id: var id } && id == $"{checkInId}-heart-rate");
        Assert.Contains(bundle.Entry, e => e.Resource is Flag { Status: Flag.FlagStatus.Active });
        axe.AssertNone();
    }
}
