using HealthFlow.Cli.Api;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>Patients and the clinician of one fault test, each with a session from the real auth-api.</summary>
public static class FaultPatients
{
    public const string Password = "fault-test-password";

    public static async Task<IReadOnlyList<LoginResult>> RegisterAsync(HealthFlowApiClient api, string purpose, int count)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var sessions = new LoginResult[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var username = $"{purpose}-{run}-{i}";
            sessions[i] = await api.RegisterOrLoginAsync(username, Password, $"{purpose} patient {i}", ct);
        });
        return sessions;
    }

    /// <summary>The test's own clinician of the Demo ward (which every new patient joins).</summary>
    public static async Task<LoginResult> ClinicianAsync(HealthFlowApiClient api)
    {
        using var http = new HttpClient { BaseAddress = api.Gateway, Timeout = TimeSpan.FromSeconds(30) };
        var (credentials, _) = await new HealthFlowApi(http).CreateWardClinicianAsync();
        return await api.LoginAsync(credentials.Username, credentials.Password, CancellationToken.None);
    }

    /// <summary>Every alert of a patient (both statuses), newest first.</summary>
    public static async Task<IReadOnlyList<AlertSummary>> AlertsOfAsync(HealthFlowApiClient api, string clinicianToken, Guid patientId)
    {
        var alerts = new List<AlertSummary>();
        string? cursor = null;
        do
        {
            var page = await api.ListAlertsAsync(clinicianToken, "all", 100, cursor, CancellationToken.None, patientId);
            alerts.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return alerts;
    }
}
