using System.Text.Json;
using HealthFlow.Domain.CheckIns;
using HealthFlow.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthFlow.Command.Api.CheckIns;

public sealed record CheckInAccepted(Guid ObservationId);

/// <summary><c>POST /api/observations</c>: a check-in as JSON, for the patient named by the access token.</summary>
public static class CheckInEndpoints
{
    public static IEndpointRouteBuilder MapCheckInEndpoints(this IEndpointRouteBuilder app)
    {
        foreach (var path in new[] { "/api/observations", "/observations" })
        {
            app.MapPost(path, SubmitAsync)
                .RequireAuthorization(HealthFlowPolicies.Patient)
                .WithTags("Observations")
                .WithName(path == "/observations" ? "SubmitObservationLegacy" : "SubmitObservation")
                .WithSummary("Submits a check-in for the patient named by the access token.")
                .WithDescription("Send an `Idempotency-Key` header to make retries safe: a retry with the same key returns the first answer and appends nothing.")
                .Accepts<CheckInBody>("application/json")
                .ProducesProblem(StatusCodes.Status401Unauthorized)
                .ProducesProblem(StatusCodes.Status403Forbidden)
                .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
                .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
                .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        }

        return app;
    }

    private static async Task<Results<Accepted<CheckInAccepted>, ValidationProblem, ProblemHttpResult>> SubmitAsync(
        HttpContext context, CheckInCommands commands, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        switch (await CheckInRequests.ReadAsync(context, request => request.HasJsonContentType(), [CheckInRequests.IdempotencyKeyHeader], cancellationToken))
        {
            case CheckInRequest.NoPatient:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "The access token names no patient.");
            case CheckInRequest.UnsupportedMediaType:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "Send the check-in as application/json.");
            case CheckInRequest.InvalidKey invalid:
                return Invalid(invalid.Header, invalid.Message);
            case CheckInRequest.Read read:
                if (Parse(read.Body) is not { } json)
                {
                    return Invalid(CheckInFields.Body, "The body must be a JSON object.");
                }

                var validation = CheckInValidator.Validate(json, timeProvider.GetUtcNow());
                if (!validation.IsValid)
                {
                    return TypedResults.ValidationProblem(validation.Errors);
                }

                var key = read.Keys[0];
                return await commands.SubmitAsync(read.Submit(validation.CheckIn, key.Length > 0 ? key : null), cancellationToken) switch
                {
                    SubmitCheckInResult.Accepted accepted => TypedResults.Accepted(
                        $"/api/patients/{read.PatientId}/observations/{accepted.ObservationId}", new CheckInAccepted(accepted.ObservationId)),
                    SubmitCheckInResult.KeyReused => TypedResults.Problem(
                        statusCode: StatusCodes.Status422UnprocessableEntity,
                        title: "Idempotency-Key reused",
                        detail: $"This {CheckInRequests.IdempotencyKeyHeader} was used before with a different body. Use a new key for a new check-in."),
                    var result => throw new InvalidOperationException($"Unhandled submission result {result}."),
                };
            case var request:
                throw new InvalidOperationException($"Unhandled check-in request {request}.");
        }
    }

    private static JsonElement? Parse(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
