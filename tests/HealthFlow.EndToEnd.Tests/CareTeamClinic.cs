using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// A clinic set up the way an admin does it, through the public API: two care teams with one clinician and one
/// patient each, the patient checked in once with an alert raised. The demo clinician (Demo ward, which every
/// new patient joins) is used to find the ids, as any tool with broad access would.
/// </summary>
public sealed class CareTeamClinic
{
    public const string DemoAdmin = HealthFlowApi.DemoAdmin;
    public const string DemoAdminPassword = HealthFlowApi.DemoAdminPassword;

    private CareTeamClinic(HealthFlowApi api, HealthFlowApi.Session admin) => (Api, Admin) = (api, admin);

    public HealthFlowApi Api { get; }

    public HealthFlowApi.Session Admin { get; }

    public required Ward A { get; init; }

    public required Ward B { get; init; }

    public sealed record Ward(Guid TeamId, HealthFlowApi.Session Clinician, HealthFlowApi.Session Patient, Guid ObservationId, Guid AlertId);

    public static async Task<CareTeamClinic> CreateAsync(HealthFlowApi api)
    {
        var admin = await api.LoginAdminAsync();
        var clinic = new CareTeamClinic(api, admin)
        {
            A = await WardAsync(api, admin, "A"),
            B = await WardAsync(api, admin, "B"),
        };
        return clinic;
    }

    public static async Task<Guid> CreateTeamAsync(HealthFlowApi api, HealthFlowApi.Session admin, string name)
    {
        var created = await api.PostAsync(admin, "/api/care-teams", new { name });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return Guid.Parse((await created.Content.ReadFromJsonAsync<JsonObject>())!["careTeamId"]!.GetValue<string>());
    }

    /// <summary>
    /// A care team of its own, one new clinician and one new patient: whatever other tests raise, that clinician's
    /// inbox and worklist hold this patient's alerts alone.
    /// </summary>
    public static async Task<(HealthFlowApi.Credentials Clinician, HealthFlowApi.Session Patient)> TeamOfOneAsync(HealthFlowApi api, string name, string patientName)
    {
        var admin = await api.LoginAdminAsync();
        var team = await CreateTeamAsync(api, admin, $"{name} {Guid.NewGuid():N}"[..20]);
        var credentials = await api.CreateClinicianAsync();
        var patient = await api.RegisterPatientAsync(patientName);
        Assert.Equal(HttpStatusCode.NoContent, (await api.PostAsync(admin, $"/api/care-teams/{team}/clinicians", new { clinicianId = credentials.Username })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.PostAsync(admin, $"/api/care-teams/{team}/patients", new { patientId = patient.PatientId })).StatusCode);
        return (credentials, patient);
    }

    public static async Task<HealthFlowApi.Session> CreateClinicianAsync(HealthFlowApi api, HealthFlowApi.Session admin)
    {
        var username = "c" + Guid.NewGuid().ToString("N")[..12];
        var password = "stethoscope-" + Guid.NewGuid().ToString("N")[..6];
        var created = await api.PostAsync(admin, "/api/auth/clinicians", new { username, password, displayName = "Dr " + username });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return await api.LoginAsync(username, password);
    }

    public async Task MoveAsync(Guid patientId, Guid from, Guid to)
    {
        Assert.Equal(HttpStatusCode.NoContent, (await Api.SendAsync(Admin, HttpMethod.Delete, $"/api/care-teams/{from}/patients", new { patientId })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.PostAsync(Admin, $"/api/care-teams/{to}/patients", new { patientId })).StatusCode);
    }

    private static async Task<Ward> WardAsync(HealthFlowApi api, HealthFlowApi.Session admin, string label)
    {
        var team = await CreateTeamAsync(api, admin, $"Ward {label} {Guid.NewGuid():N}"[..20]);
        var clinician = await CreateClinicianAsync(api, admin);
        var patient = await api.RegisterPatientAsync($"Patient {label} {Guid.NewGuid():N}"[..18]);
        Assert.Equal(HttpStatusCode.NoContent, (await api.PostAsync(admin, $"/api/care-teams/{team}/clinicians", new { clinicianId = clinician.Username })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.PostAsync(admin, $"/api/care-teams/{team}/patients", new { patientId = patient.PatientId })).StatusCode);

        var observationId = await api.CheckInAsync(patient, new { score = 10 });
        var alert = await Eventually.GetAsync(async () =>
        {
            var alerts = await api.GetAsync(clinician, $"/api/alerts?status=all&patientId={patient.PatientId}");
            if (!alerts.IsSuccessStatusCode)
            {
                return null;
            }

            var items = (await alerts.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();
            return items.FirstOrDefault(i => i!["observationId"]!.GetValue<string>() == observationId.ToString());
        }, $"ward {label}'s clinician to see the alert of their patient");
        await Eventually.UntilAsync(async () => (await api.GetAsync(clinician, $"/api/patients/{patient.PatientId}/observations/{observationId}")).IsSuccessStatusCode,
            $"ward {label}'s observation to be projected");
        return new Ward(team, clinician, patient, observationId, Guid.Parse(alert["alertId"]!.GetValue<string>()));
    }
}
