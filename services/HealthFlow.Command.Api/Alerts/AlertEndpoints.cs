using HealthFlow.PatientAccess;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace HealthFlow.Command.Api.Alerts;

public sealed record AcknowledgeRequest(string? Note);

public sealed record AlertAcknowledgement(Guid AlertId, Guid PatientId, string AcknowledgedBy, DateTimeOffset AcknowledgedAt) : IPatientRecord
{
    Guid IPatientRecord.ResourceId => AlertId;
}

public static class AlertEndpoints
{
    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/alerts/{alertId:guid}/acknowledge", AcknowledgeAsync)
            .RequireAuthorization(HealthFlowPolicies.Clinician)
            .WithTags("Alerts")
            .WithName("AcknowledgeAlert")
            .WithSummary("Acknowledges an alert: the clinician takes responsibility for it.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithPatientDataAudit();
        return app;
    }

    private static async Task<Results<Accepted<AlertAcknowledgement>, ValidationProblem, ProblemHttpResult>> AcknowledgeAsync(
        Guid alertId, [FromBody] AcknowledgeRequest? request, AlertCommands commands, HttpContext context, CancellationToken cancellationToken)
    {
        var command = new AcknowledgeAlert(alertId, context.User, request?.Note, context.GetCorrelationId());
        switch (await commands.AcknowledgeAsync(command, cancellationToken))
        {
            case AcknowledgeResult.Acknowledged { Event: var e }:
                return TypedResults.Accepted((string?)null, new AlertAcknowledgement(alertId, e.PatientId, e.AcknowledgedBy, e.AcknowledgedAt));

            case AcknowledgeResult.AlreadyAcknowledged already:
                return AlreadyAcknowledged(alertId, already.AcknowledgedBy, already.AcknowledgedAt);

            case AcknowledgeResult.StillChanging:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Alert is changing",
                    detail: $"Alert {alertId} changed while it was being acknowledged; nothing was recorded. Try again.");

            case AcknowledgeResult.Invalid invalid:
                return TypedResults.ValidationProblem(invalid.Errors);

            case AcknowledgeResult.UnknownAlert:
                return UnknownAlert(alertId);

            // Outside the clinician's care teams the alert does not exist for them: the same 404, recorded as denied.
            case AcknowledgeResult.OutOfScope outOfScope:
                context.RecordDenied(outOfScope.PatientId, alertId);
                return UnknownAlert(alertId);

            case var result:
                throw new InvalidOperationException($"Unhandled acknowledgement result {result}.");
        }
    }

    private static ProblemHttpResult UnknownAlert(Guid alertId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no alert {alertId}.");

    // Who and when: the clinician app shows the acknowledgement the server has, not the one it tried to make.
    private static ProblemHttpResult AlreadyAcknowledged(Guid alertId, string acknowledgedBy, DateTimeOffset acknowledgedAt)
    {
        var extensions = new Dictionary<string, object?>
        {
            ["acknowledgedBy"] = acknowledgedBy,
            ["acknowledgedAt"] = acknowledgedAt,
        };

        return TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "Already acknowledged",
            detail: $"Alert {alertId} has already been acknowledged.",
            extensions: extensions);
    }
}
