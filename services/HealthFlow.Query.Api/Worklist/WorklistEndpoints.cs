using System.Security.Claims;
using HealthFlow.PatientAccess;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using static HealthFlow.Query.Api.Worklist.WorklistRows;

namespace HealthFlow.Query.Api.Worklist;

/// <summary>
/// GET /api/worklist: the clinician's triage view, one row per patient with open alerts. Scoped and audited as the
/// alert list is: only the clinician's care-team patients, and one audit record per patient shown.
/// </summary>
public static class WorklistEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;

    public static IEndpointRouteBuilder MapWorklistEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/worklist", GetAsync)
            .RequireAuthorization(HealthFlowPolicies.Clinician)
            .WithTags("Worklist")
            .WithName("GetWorklist")
            .WithSummary("One row per care-team patient with open alerts, most urgent first.")
            .WithDescription("Rows are sorted by the highest open severity (high first), then by how long the oldest open alert has waited (longest first). "
                + "Each row counts the patient's open alerts, says whether any is escalated, and carries the latest two NEWS2 totals of the patient's alerts with their trend. "
                + "`limit` (1-100, default 50) caps the rows; `totalPatients` counts them all. "
                + "At most `Worklist:MaxOpenAlertsRead` open alerts (of every care team, oldest first) are read; past that, `complete` is false and the newest open alerts are left out. "
                + "`patientId` answers that one patient's row (or none), as a client refreshing one row after a change asks.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithPatientDataAudit();
        return app;
    }

    private static async Task<Results<Ok<WorklistPage>, ValidationProblem>> GetAsync(
        HttpContext context,
        ClaimsPrincipal user,
        PatientScopes scopes,
        AlertReadModel alerts,
        IOptions<WorklistOptions> options,
        CancellationToken cancellationToken,
        Guid? patientId = null,
        int? limit = null)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"Limit must be from 1 to {MaxLimit}."] });
        }

        var scope = await scopes.ForAsync(user, cancellationToken);
        var (patients, total, complete) = patientId is { } one
            // Another team's patient reads as one with no open alerts, as in the alert list, and nothing of theirs is read.
            ? scope.Includes(one) ? await OnePatientAsync(alerts, one, options.Value, cancellationToken) : ([], 0, true)
            : await EveryPatientAsync(alerts, scope, limit ?? DefaultLimit, options.Value, cancellationToken);

        foreach (var patient in patients)
        {
            context.RecordDisclosed(patient.PatientId, patient.ResourceIds);
        }

        return TypedResults.Ok(new WorklistPage([.. patients.Select(Row)], total, complete));
    }

    private static async Task<(IReadOnlyList<PatientAlerts>, int, bool)> EveryPatientAsync(
        AlertReadModel alerts, PatientScope scope, int limit, WorklistOptions options, CancellationToken cancellationToken)
    {
        var open = await alerts.ReadOpenAsync(options.MaxOpenAlertsRead, scope.Includes, cancellationToken);
        var byUrgency = ByUrgency(open.Alerts);
        var shown = byUrgency.Take(limit).ToList();
        // The trend needs the patient's newest alerts of every status (an acknowledged one may hold the latest total):
        // one short by-patient query per row shown, never per row left out.
        var sources = new IReadOnlyList<AlertView>[shown.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, shown.Count),
            new ParallelOptions { MaxDegreeOfParallelism = options.News2LookupConcurrency, CancellationToken = cancellationToken },
            async (i, ct) => sources[i] = News2Sources((await alerts.ReadNewestOfPatientAsync(shown[i].Key, options.News2Lookback, ct)).Alerts));
        return ([.. shown.Select((group, i) => new PatientAlerts(group.Key, [.. group], sources[i]))], byUrgency.Count, open.Complete);
    }

    private static async Task<(IReadOnlyList<PatientAlerts>, int, bool)> OnePatientAsync(
        AlertReadModel alerts, Guid patientId, WorklistOptions options, CancellationToken cancellationToken)
    {
        // One read serves the row: the patient's alerts newest first hold both the open ones and the NEWS2 totals.
        var read = await alerts.ReadNewestOfPatientAsync(patientId, options.MaxOpenAlertsRead, cancellationToken);
        var open = read.Alerts.Where(a => a.Status == AlertStatuses.Open).ToList();
        return open.Count == 0
            ? ([], 0, read.Complete)
            : ([new PatientAlerts(patientId, open, News2Sources(read.Alerts))], 1, read.Complete);
    }
}
