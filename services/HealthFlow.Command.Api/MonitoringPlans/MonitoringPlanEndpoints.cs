using System.Globalization;
using HealthFlow.Domain.Monitoring;
using HealthFlow.PatientAccess;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace HealthFlow.Command.Api.MonitoringPlans;

/// <summary>The body of <c>PUT /api/patients/{patientId}/monitoring-plan</c>: the plan (each part optional) and why.</summary>
public sealed record MonitoringPlanRequest(
    CheckInSchedule? Schedule = null,
    SpO2Scale? SpO2Scale = null,
    PersonalThresholds? Thresholds = null,
    string? Reason = null)
{
    public MonitoringPlan Plan => new(Schedule, SpO2Scale, Thresholds);
}

public static class MonitoringPlanEndpoints
{
    public const string IfMatchField = "If-Match";

    public static IEndpointRouteBuilder MapMonitoringPlanEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPut("/api/patients/{patientId:guid}/monitoring-plan", SetAsync)
            .RequireAuthorization(HealthFlowPolicies.AdminOrClinician)
            .WithTags("Monitoring plans")
            .WithName("SetMonitoringPlan")
            .WithSummary("Sets the patient's monitoring plan (schedule, SpO2 scale, personal thresholds), replacing the one before.")
            .WithDescription("A clinician of one of the patient's care teams, or an admin. If-Match (the plan version last read, \"0\" for none) " +
                "makes it conditional: another version answers 412. The answer carries the new version, also as the ETag.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithPatientDataAudit();
        return app;
    }

    private static async Task<Results<Ok<MonitoringPlanView>, ValidationProblem, ProblemHttpResult>> SetAsync(
        Guid patientId, [FromBody] MonitoringPlanRequest? request, MonitoringPlanCommands commands, HttpContext context, CancellationToken cancellationToken)
    {
        if (!TryParseIfMatch(context.Request.Headers.IfMatch.ToString(), out var expectedVersion))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [IfMatchField] = ["If-Match must be one plan version as an entity tag, e.g. \"3\" (\"0\": no plan yet)."],
            });
        }

        var command = new SetMonitoringPlan(patientId, request?.Plan, request?.Reason, expectedVersion, context.User, context.GetCorrelationId());
        switch (await commands.SetAsync(command, cancellationToken))
        {
            case SetPlanResult.Decided { Outcome: SetPlanOutcome.Set { Event: var set } }:
                context.Response.Headers.ETag = MonitoringPlanView.ETagOf(set.Version);
                return TypedResults.Ok(MonitoringPlanView.From(set));

            case SetPlanResult.Decided { Outcome: SetPlanOutcome.Invalid invalid }:
                return TypedResults.ValidationProblem(invalid.Errors);

            case SetPlanResult.Decided { Outcome: SetPlanOutcome.VersionMismatch mismatch }:
                context.Response.Headers.ETag = MonitoringPlanView.ETagOf(mismatch.Current);
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status412PreconditionFailed,
                    title: "Plan changed",
                    detail: $"The plan in force is version {mismatch.Current}, not the one in If-Match; read it again before changing it.",
                    extensions: new Dictionary<string, object?> { ["currentVersion"] = mismatch.Current });

            case SetPlanResult.StillChanging:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                    detail: "The patient's plan is changing too often; try again.");

            // Outside the clinician's care teams the patient does not exist for them: the same 404, recorded as denied.
            case SetPlanResult.OutOfScope:
                context.RecordDenied(patientId);
                return UnknownPatient(patientId);

            case SetPlanResult.Decided { Outcome: SetPlanOutcome.UnknownPatient }:
                return UnknownPatient(patientId);

            case var result:
                throw new InvalidOperationException($"Unhandled plan result {result}.");
        }
    }

    /// <summary>No header is no condition; otherwise one strong or weak entity tag holding a version.</summary>
    private static bool TryParseIfMatch(string header, out int? version)
    {
        version = null;
        if (string.IsNullOrWhiteSpace(header))
        {
            return true;
        }

        if (!EntityTagHeaderValue.TryParse(header.Trim(), out var tag) || tag.Tag is not { Length: > 2 } quoted
            || !int.TryParse(quoted.AsSpan(1, quoted.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            return false;
        }

        version = parsed;
        return true;
    }

    private static ProblemHttpResult UnknownPatient(Guid patientId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no patient {patientId}.");
}
