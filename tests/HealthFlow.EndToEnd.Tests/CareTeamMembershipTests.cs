using System.Net;
using System.Text.Json.Nodes;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>An admin's membership changes take away access as well as give it, whatever the id's letter case.</summary>
[Collection(AppHostCollection.Name)]
public sealed class CareTeamMembershipTests(AppHostFixture system)
{
    // DemoWard.Id: the team every new patient joins locally (CareTeams:NewPatientsJoinDemoWard, on in the AppHost).
    private static readonly Guid DemoWardId = new("0d3e6a8c-5b1f-4c2e-9a47-d3e0a6b1c2f4");

    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());

    [Fact]
    public async Task A_clinician_removed_with_their_username_in_capitals_no_longer_reads_the_teams_patients()
    {
        var admin = await _api.LoginAdminAsync();
        var team = await CareTeamClinic.CreateTeamAsync(_api, admin, "Ward " + Guid.NewGuid().ToString("N")[..8]);
        var clinician = await CareTeamClinic.CreateClinicianAsync(_api, admin);
        var patient = await _api.RegisterPatientAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await _api.PostAsync(admin, $"/api/care-teams/{team}/clinicians", new { clinicianId = clinician.Username })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _api.PostAsync(admin, $"/api/care-teams/{team}/patients", new { patientId = patient.PatientId })).StatusCode);
        await Eventually.UntilAsync(async () => (await _api.GetAsync(clinician, $"/api/patients/{patient.PatientId}")).StatusCode == HttpStatusCode.OK,
            "the clinician to see their team's patient");

        var removed = await _api.SendAsync(admin, HttpMethod.Delete, $"/api/care-teams/{team}/clinicians", new { clinicianId = clinician.Username.ToUpperInvariant() });

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        await Eventually.UntilAsync(async () => (await _api.GetAsync(clinician, $"/api/patients/{patient.PatientId}")).StatusCode == HttpStatusCode.NotFound,
            "the removed clinician to lose the team's patient");
        var teams = (await _api.GetJsonAsync(admin, "/api/care-teams"))["items"]!.AsArray();
        var listed = Assert.Single(teams, t => t!["careTeamId"]!.GetValue<string>() == team.ToString())!;
        Assert.Empty(listed["clinicians"]!.AsArray());
    }

    [Fact]
    public async Task A_clinician_assigned_with_their_username_in_capitals_reads_the_teams_patients()
    {
        var admin = await _api.LoginAdminAsync();
        var team = await CareTeamClinic.CreateTeamAsync(_api, admin, "Ward " + Guid.NewGuid().ToString("N")[..8]);
        var clinician = await CareTeamClinic.CreateClinicianAsync(_api, admin);
        var patient = await _api.RegisterPatientAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await _api.PostAsync(admin, $"/api/care-teams/{team}/clinicians", new { clinicianId = clinician.Username.ToUpperInvariant() })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _api.PostAsync(admin, $"/api/care-teams/{team}/patients", new { patientId = patient.PatientId })).StatusCode);

        await Eventually.UntilAsync(async () => (await _api.GetAsync(clinician, $"/api/patients/{patient.PatientId}")).StatusCode == HttpStatusCode.OK,
            "the clinician to see their team's patient");
        var mine = (await _api.GetJsonAsync(clinician, "/api/care-teams"))["items"]!.AsArray();
        Assert.Equal([clinician.Username], Assert.Single(mine)!["clinicians"]!.AsArray().Select(c => c!.GetValue<string>()));
    }

    [Fact]
    public async Task Removing_a_new_patient_from_the_default_team_removes_its_clinicians_access()
    {
        var admin = await _api.LoginAdminAsync();
        var clinician = await CareTeamClinic.CreateClinicianAsync(_api, admin);
        Assert.Equal(HttpStatusCode.NoContent, (await _api.PostAsync(admin, $"/api/care-teams/{DemoWardId}/clinicians", new { clinicianId = clinician.Username })).StatusCode);
        try
        {
            var patient = await _api.RegisterPatientAsync();
            await Eventually.UntilAsync(async () => (await _api.GetAsync(clinician, $"/api/patients/{patient.PatientId}")).StatusCode == HttpStatusCode.OK,
                "the new patient to join the default team");

            var removed = await _api.SendAsync(admin, HttpMethod.Delete, $"/api/care-teams/{DemoWardId}/patients", new { patientId = patient.PatientId });

            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
            await Eventually.UntilAsync(async () => (await _api.GetAsync(clinician, $"/api/patients/{patient.PatientId}")).StatusCode == HttpStatusCode.NotFound,
                "the patient removed from the default team to leave its clinician's reach");
            var ward = await _api.GetJsonAsync(admin, "/api/care-teams");
            var demo = Assert.Single(ward["items"]!.AsArray(), t => t!["careTeamId"]!.GetValue<string>() == DemoWardId.ToString())!;
            Assert.DoesNotContain(patient.PatientId.ToString(), demo["patients"]!.AsArray().Select(p => p!.GetValue<string>()));
        }
        finally
        {
            await _api.SendAsync(admin, HttpMethod.Delete, $"/api/care-teams/{DemoWardId}/clinicians", new { clinicianId = clinician.Username });
        }
    }
}
