using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.EventStore;
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
    public const int NoteMaxLength = 500;

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
        Guid alertId,
        [FromBody] AcknowledgeRequest? request,
        IEventStore eventStore,
        PatientScopes scopes,
        TimeProvider timeProvider,
        CommandMetrics metrics,
        HttpContext context,
        CancellationToken cancellationToken)
    {
        if (request?.Note is { Length: > NoteMaxLength })
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["note"] = [$"Note must be at most {NoteMaxLength} characters."],
            });
        }

        if (await AlertAcknowledgements.ReadAsync(eventStore, alertId, cancellationToken) is not { } alert)
        {
            return UnknownAlert(alertId);
        }

        // Outside the clinician's care teams the alert does not exist for them: the same 404, recorded as denied.
        if (!await scopes.MayReadAsync(context.User, alert.PatientId, cancellationToken))
        {
            context.RecordDenied(alert.PatientId, alertId);
            return UnknownAlert(alertId);
        }

        var clinician = context.User.GetUserId();
        var metadata = EventMetadataFactory.FromCurrentActivity(context.GetCorrelationId(), userId: clinician);
        switch (await AlertAcknowledgements.AcknowledgeAsync(eventStore, alert, clinician, request?.Note, timeProvider.GetUtcNow(), metadata, cancellationToken))
        {
            case AcknowledgeResult.AlreadyAcknowledged already:
                return AlreadyAcknowledged(alertId, already.AcknowledgedBy, already.AcknowledgedAt);

            case AcknowledgeResult.Acknowledged acknowledged:
                metrics.AlertAcknowledged();
                var e = acknowledged.Event;
                return TypedResults.Accepted((string?)null, new AlertAcknowledgement(alertId, alert.PatientId, e.AcknowledgedBy, e.AcknowledgedAt));

            case AcknowledgeResult.StillChanging:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Alert is changing",
                    detail: $"Alert {alertId} changed while it was being acknowledged; nothing was recorded. Try again.");

            default:
                throw new InvalidOperationException("Unknown acknowledgement result.");
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
