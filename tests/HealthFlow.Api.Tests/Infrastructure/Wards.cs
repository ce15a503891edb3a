using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;

namespace HealthFlow.Api.Tests.Infrastructure;

/// <summary>
/// Care teams made by the admin through command-api and alerts appended as alert-worker would, both carried into the
/// read models by the projections' code (StreamProjector): a clinician who sees exactly the patients a test made.
/// </summary>
public sealed class Wards(HealthFlowApi auth, HealthFlowApi commands, StreamProjector projector)
{
    /// <summary>A new care team: a new clinician and <paramref name="patients"/> new patients.</summary>
    public async Task<(HealthFlowApi.Session Clinician, HealthFlowApi.Session[] Patients)> CreateAsync(int patients, string name = "Ward")
    {
        var admin = await auth.LoginAdminAsync();
        var created = await commands.PostAsync(admin, "/api/care-teams", new { name = $"{name} {Guid.NewGuid():N}"[..20] });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var team = Guid.Parse((await created.Content.ReadFromJsonAsync<JsonObject>())!["careTeamId"]!.GetValue<string>());
        var credentials = await auth.CreateClinicianAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await commands.PostAsync(admin, $"/api/care-teams/{team}/clinicians", new { clinicianId = credentials.Username })).StatusCode);
        var members = new HealthFlowApi.Session[patients];
        for (var i = 0; i < patients; i++)
        {
            members[i] = await auth.RegisterPatientAsync();
            Assert.Equal(HttpStatusCode.NoContent, (await commands.PostAsync(admin, $"/api/care-teams/{team}/patients", new { patientId = members[i].PatientId })).StatusCode);
        }

        await projector.ProjectAsync(StreamId.ForCareTeam(team));
        return (await auth.LoginAsync(credentials.Username, credentials.Password), members);
    }

    /// <summary>An alert raised <paramref name="ago"/>, as alert-worker appends it, projected.</summary>
    public async Task<Guid> RaiseAsync(HealthFlowApi.Session patient, string severity, TimeSpan ago, int? news2 = null, string rule = AlertRules.News2)
    {
        var alertId = Guid.NewGuid();
        await projector.AppendAndProjectAsync(StreamId.ForAlert(alertId), new AlertRaised(
            alertId, patient.PatientId!.Value, Guid.CreateVersion7(), severity, rule, [$"{rule} fired"], null, news2, false, DateTimeOffset.UtcNow - ago));
        return alertId;
    }
}
