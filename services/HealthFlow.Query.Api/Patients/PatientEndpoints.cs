using System.Security.Claims;
using HealthFlow.PatientAccess;
using HealthFlow.Query.Api.Alerts;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthFlow.Query.Api.Patients;

public static class PatientEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;

    public static IEndpointRouteBuilder MapPatientEndpoints(this IEndpointRouteBuilder app)
    {
        var patients = app.MapGroup("/api/patients")
            .WithTags("Patients")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithPatientDataAudit();

        patients.MapGet("/", ListAsync)
            .RequireAuthorization(HealthFlowPolicies.Clinician)
            .WithName("ListPatients")
            .WithSummary("The patients of the clinician's care teams, most recently registered first.");

        // A clinician, or the patient themself: the policy admits both roles, the handler checks which patient.
        var patient = patients.MapGroup("/{patientId:guid}").RequireAuthorization(HealthFlowPolicies.PatientOrClinician);

        patient.MapGet("/", GetAsync)
            .WithName("GetPatient")
            .WithSummary("One patient. A patient outside the clinician's care teams is a 404.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        patient.MapGet("/observations", ListObservationsAsync)
            .WithName("ListObservations")
            .WithSummary("A patient's check-ins measured between from and to, newest first.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        patient.MapGet("/observations/{observationId:guid}", GetObservationAsync)
            .WithName("GetObservation")
            .WithSummary("One check-in.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        patient.MapGet("/alerts", ListAlertsAsync)
            .WithName("ListPatientAlerts")
            .WithSummary("A patient's alerts, newest first. Status defaults to all.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        patient.MapGet("/monitoring-plan", GetMonitoringPlanAsync)
            .WithName("GetMonitoringPlan")
            .WithSummary("The patient's monitoring plan in force, with its version (also the ETag, for If-Match on the PUT). 404 while none was set: the defaults apply.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        patient.MapGet("/check-in-status", GetCheckInStatusAsync)
            .WithName("GetCheckInStatus")
            .WithSummary("When the patient's next check-in is due under the plan in force (due time, end of the grace), whether one is overdue, and the latest check-in. 404 while the plan sets no schedule.")
            .WithDescription("Computed at the time of the request from the projected plan and the latest check-in's submission time, so a check-in just accepted counts once the projection has applied it (usually within a second). overdueDueAt names the due time that passed without a check-in: the open window's once its due time has passed, or the previous window's when it was missed.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Ok<Page<PatientView>>, ValidationProblem>> ListAsync(
        ClaimsPrincipal user, PatientScopes scopes, PatientReadModel patients, CancellationToken cancellationToken, int? limit = null, string? cursor = null)
    {
        if (InvalidLimit(limit) is { } invalid)
        {
            return invalid;
        }

        try
        {
            var scope = await scopes.ForAsync(user, cancellationToken);
            return TypedResults.Ok(await patients.ListAsync(limit ?? DefaultLimit, cursor, cancellationToken, scope.Patients));
        }
        catch (InvalidCursorException e)
        {
            return InvalidCursor(e);
        }
    }

    private static async Task<Results<Ok<PatientView>, ProblemHttpResult>> GetAsync(
        Guid patientId, HttpContext context, PatientScopes scopes, PatientReadModel patients, CancellationToken cancellationToken)
    {
        if (await OutOfScopeAsync(context, scopes, patientId, cancellationToken) is { } outside)
        {
            return outside;
        }

        return await patients.GetAsync(patientId, cancellationToken) is { } patient
            ? TypedResults.Ok(patient)
            : NotFound($"There is no patient {patientId}.");
    }

    private static async Task<Results<Ok<Page<CheckInView>>, ValidationProblem, ProblemHttpResult>> ListObservationsAsync(
        Guid patientId,
        HttpContext context,
        PatientScopes scopes,
        ObservationReadModel observations,
        CancellationToken cancellationToken,
        DateTimeOffset? from = null,
        DateTimeOffset? to = null,
        int? limit = null,
        string? cursor = null)
    {
        if (await OutOfScopeAsync(context, scopes, patientId, cancellationToken) is { } outside)
        {
            return outside;
        }

        if (InvalidLimit(limit) is { } invalid)
        {
            return invalid;
        }

        if (from > to)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["from"] = ["From must not be after to."] });
        }

        try
        {
            return TypedResults.Ok(await observations.ListAsync(patientId, from, to, limit ?? DefaultLimit, cursor, cancellationToken));
        }
        catch (InvalidCursorException e)
        {
            return InvalidCursor(e);
        }
    }

    private static async Task<Results<Ok<CheckInView>, ProblemHttpResult>> GetObservationAsync(
        Guid patientId, Guid observationId, HttpContext context, PatientScopes scopes, ObservationReadModel observations, CancellationToken cancellationToken)
    {
        if (await OutOfScopeAsync(context, scopes, patientId, cancellationToken, observationId) is { } outside)
        {
            return outside;
        }

        // Eventually consistent: a just-accepted check-in answers 404 until the projection has stored it.
        return await observations.GetAsync(patientId, observationId, cancellationToken) is { } observation
            ? TypedResults.Ok(observation)
            : NotFound($"There is no observation {observationId} for patient {patientId}.");
    }

    private static async Task<Results<Ok<Page<AlertView>>, ValidationProblem, ProblemHttpResult>> ListAlertsAsync(
        Guid patientId,
        HttpContext context,
        PatientScopes scopes,
        AlertReadModel alerts,
        CancellationToken cancellationToken,
        string? status = null,
        string? severity = null,
        int? limit = null,
        string? cursor = null)
    {
        if (await OutOfScopeAsync(context, scopes, patientId, cancellationToken) is { } outside)
        {
            return outside;
        }

        return await AlertEndpoints.ListAlertsAsync(alerts, status ?? AlertStatuses.All, patientId, severity, limit, cursor, null, cancellationToken) switch
        {
            { Result: Ok<Page<AlertView>> ok } => ok,
            { Result: ValidationProblem problem } => problem,
            _ => throw new InvalidOperationException("Unexpected alert list result."),
        };
    }

    private static async Task<Results<Ok<MonitoringPlanView>, ProblemHttpResult>> GetMonitoringPlanAsync(
        Guid patientId, HttpContext context, PatientScopes scopes, PatientReadModel patients, CancellationToken cancellationToken)
    {
        if (await OutOfScopeAsync(context, scopes, patientId, cancellationToken) is { } outside)
        {
            return outside;
        }

        if (await patients.GetPlanAsync(patientId, cancellationToken) is not { } plan)
        {
            return NotFound($"No monitoring plan was set for patient {patientId}; the default rules apply.");
        }

        context.Response.Headers.ETag = MonitoringPlanView.ETagOf(plan.Version);
        return TypedResults.Ok(plan);
    }

    private static async Task<Results<Ok<CheckInStatusView>, ProblemHttpResult>> GetCheckInStatusAsync(
        Guid patientId, HttpContext context, PatientScopes scopes, PatientReadModel patients, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await OutOfScopeAsync(context, scopes, patientId, cancellationToken) is { } outside)
        {
            return outside;
        }

        return await patients.GetPlanAndLastCheckInAsync(patientId, cancellationToken) is { } read
            && CheckInStatusView.From(read, time.GetUtcNow()) is { } status
            ? TypedResults.Ok(status)
            : NotFound($"No check-in schedule is set for patient {patientId}: no check-in is due.");
    }

    private static ValidationProblem? InvalidLimit(int? limit) => limit is < 1 or > MaxLimit
        ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"Limit must be from 1 to {MaxLimit}."] })
        : null;

    private static ValidationProblem InvalidCursor(InvalidCursorException e) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = [e.Message] });

    /// <summary>
    /// A 404, recorded as a denied attempt, for a patient outside the caller's scope (another patient, or
    /// outside a clinician's care teams): the same answer as for a patient who does not exist, so ids do not leak.
    /// </summary>
    private static async Task<ProblemHttpResult?> OutOfScopeAsync(
        HttpContext context, PatientScopes scopes, Guid patientId, CancellationToken cancellationToken, Guid? resourceId = null)
    {
        if (await scopes.MayReadAsync(context.User, patientId, cancellationToken))
        {
            return null;
        }

        context.RecordDenied(patientId, resourceId);
        return NotFound($"There is no patient {patientId}.");
    }

    private static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);
}
