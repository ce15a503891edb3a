using HealthFlow.Aws.Access;
using HealthFlow.Aws.Audit;
using HealthFlow.Aws.EventStore;
using HealthFlow.Aws.Messaging;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
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

        var stream = StreamId.ForAlert(alertId);
        var events = new List<EventEnvelope>();
        await foreach (var envelope in eventStore.ReadStreamAsync(stream, 1, cancellationToken))
        {
            events.Add(envelope);
        }

        if (events.Count == 0 || AlertState.From(events) is not { } alert)
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
        switch (alert.Acknowledge(clinician, request?.Note, timeProvider.GetUtcNow()))
        {
            case AcknowledgeOutcome.AlreadyAcknowledged already:
                return AlreadyAcknowledged(alertId, already.AcknowledgedBy, already.AcknowledgedAt);

            case AcknowledgeOutcome.Acknowledged acknowledged:
                try
                {
                    // At the version read: a concurrent acknowledgement makes exactly one of them win.
                    await eventStore.AppendAsync(
                        stream,
                        events[^1].Version,
                        [acknowledged.Event],
                        EventMetadataFactory.FromCurrentActivity(context.GetCorrelationId(), userId: clinician),
                        cancellationToken);
                }
                catch (ConcurrencyConflictException)
                {
                    return AlreadyAcknowledged(alertId, acknowledgedBy: null, acknowledgedAt: null);
                }

                metrics.AlertAcknowledged();
                var e = acknowledged.Event;
                return TypedResults.Accepted((string?)null, new AlertAcknowledgement(alertId, alert.PatientId, e.AcknowledgedBy, e.AcknowledgedAt));

            default:
                throw new InvalidOperationException("Unknown acknowledgement outcome.");
        }
    }

    private static ProblemHttpResult UnknownAlert(Guid alertId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no alert {alertId}.");

    private static ProblemHttpResult AlreadyAcknowledged(Guid alertId, string? acknowledgedBy, DateTimeOffset? acknowledgedAt)
    {
        var extensions = new Dictionary<string, object?>();
        if (acknowledgedBy is not null)
        {
            extensions["acknowledgedBy"] = acknowledgedBy;
            extensions["acknowledgedAt"] = acknowledgedAt;
        }

        return TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "Already acknowledged",
            detail: $"Alert {alertId} has already been acknowledged.",
            extensions: extensions);
    }
}
