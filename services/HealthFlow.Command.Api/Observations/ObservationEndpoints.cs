using System.Security.Cryptography;
using System.Text.Json;
using HealthFlow.Domain.CheckIns;
using HealthFlow.Domain.Events;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthFlow.Command.Api.Observations;

/// <summary>The check-in body, for the OpenAPI document only: the endpoint validates the raw JSON (CheckInValidator).</summary>
public sealed record CheckInRequest(
    int? Score,
    int? HeartRate,
    int? RespiratoryRate,
    int? OxygenSaturation,
    bool? OnSupplementalOxygen,
    int? SystolicBp,
    int? DiastolicBp,
    decimal? Temperature,
    Consciousness? Consciousness,
    DateTimeOffset? MeasuredAt,
    string? Note);

public sealed record ObservationAccepted(Guid ObservationId);

public static class ObservationEndpoints
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const int MaxIdempotencyKeyLength = 255;

    /// <summary>1 to 255 visible ASCII characters (empty means "no key").</summary>
    public static bool IsValidIdempotencyKey(string key) =>
        key.Length <= MaxIdempotencyKeyLength && key.All(c => c is >= (char)0x21 and <= (char)0x7e);

    public static IEndpointRouteBuilder MapObservationEndpoints(this IEndpointRouteBuilder app)
    {
        foreach (var path in new[] { "/api/observations", "/observations" })
        {
            app.MapPost(path, SubmitAsync)
                .RequireAuthorization(HealthFlowPolicies.Patient)
                .WithTags("Observations")
                .WithName(path == "/observations" ? "SubmitObservationLegacy" : "SubmitObservation")
                .WithSummary("Submits a check-in for the patient named by the access token.")
                .WithDescription("Send an `Idempotency-Key` header to make retries safe: a retry with the same key returns the first answer and appends nothing.")
                .Accepts<CheckInRequest>("application/json")
                .ProducesProblem(StatusCodes.Status401Unauthorized)
                .ProducesProblem(StatusCodes.Status403Forbidden)
                .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
                .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
                .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        }

        return app;
    }

    private static async Task<Results<Accepted<ObservationAccepted>, ValidationProblem, ProblemHttpResult>> SubmitAsync(
        HttpContext context, ObservationSubmitter submitter, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var user = context.User;
        // The patient comes from the token only; the validator rejects a patient id in the body.
        if (user.GetPatientId() is not { } patientId)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "The access token names no patient.");
        }

        if (!context.Request.HasJsonContentType())
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "Send the check-in as application/json.");
        }

        var idempotencyKey = context.Request.Headers[IdempotencyKeyHeader].ToString();
        if (!IsValidIdempotencyKey(idempotencyKey))
        {
            return Invalid(IdempotencyKeyHeader, $"{IdempotencyKeyHeader} must be 1 to {MaxIdempotencyKeyLength} visible ASCII characters.");
        }

        // Kestrel enforces the 64 KB limit while this reads; an oversize body becomes a 413 problem.
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.ToArray();

        JsonElement json;
        try
        {
            using var document = JsonDocument.Parse(body);
            json = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return Invalid(CheckInFields.Body, "The body must be a JSON object.");
        }

        var validation = CheckInValidator.Validate(json, timeProvider.GetUtcNow());
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }

        var result = await submitter.SubmitAsync(
            new SubmitObservation(
                patientId,
                user.GetUserId(),
                validation.CheckIn,
                idempotencyKey.Length > 0 ? idempotencyKey : null,
                Convert.ToHexString(SHA256.HashData(body)),
                context.GetCorrelationId()),
            cancellationToken);

        return result switch
        {
            SubmissionResult.Accepted accepted => TypedResults.Accepted(
                $"/api/patients/{patientId}/observations/{accepted.ObservationId}", new ObservationAccepted(accepted.ObservationId)),
            SubmissionResult.KeyReused => TypedResults.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "Idempotency-Key reused",
                detail: $"This {IdempotencyKeyHeader} was used before with a different body. Use a new key for a new check-in."),
            _ => throw new InvalidOperationException($"Unhandled submission result {result}."),
        };
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
