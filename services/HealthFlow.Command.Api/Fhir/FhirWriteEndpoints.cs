using System.Security.Cryptography;
using HealthFlow.Command.Api.Observations;
using HealthFlow.Domain.Events;
using HealthFlow.Fhir;
using HealthFlow.Fhir.In;
using HealthFlow.Fhir.Out;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.ServiceDefaults.Http;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthFlow.Command.Api.Fhir;

/// <summary>
/// FHIR R4 check-ins from devices and EHRs acting for the token's patient: <c>POST /fhir/r4/Observation</c>
/// (one vital sign or a blood pressure panel) and <c>POST /fhir/r4</c> (a transaction Bundle of them). Either
/// is one check-in: the same ObservationSubmitted, the same validation (CheckInValidator, through
/// FhirCheckInReader) and the same idempotency as <c>POST /api/observations</c>, keyed by Idempotency-Key or,
/// for a conditional create, If-None-Exist. Nothing is appended unless the whole submission is valid.
/// </summary>
public static class FhirWriteEndpoints
{
    public const string IfNoneExistHeader = "If-None-Exist";

    public static IEndpointRouteBuilder MapFhirWriteEndpoints(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup(FhirCapabilities.BasePath).WithTags("FHIR R4");

        fhir.MapPost("/Observation", (HttpContext context, ObservationSubmitter submitter, TimeProvider time, CancellationToken cancellationToken) =>
                SubmitAsync(context, FhirSubmission.Observation, submitter, time, cancellationToken))
            .WithName("FhirCreateObservation")
            .WithSummary("Submits one vital-sign Observation (or a blood pressure panel) as a check-in for the token's patient.")
            .WithDescription("Idempotent with an `Idempotency-Key` header, or as a conditional create with `If-None-Exist`.")
            .Accepts<object>(FhirMediaTypes.Json)
            .ProducesFhir(
                StatusCodes.Status200OK, StatusCodes.Status201Created, StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden,
                StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity);

        fhir.MapPost("/", (HttpContext context, ObservationSubmitter submitter, TimeProvider time, CancellationToken cancellationToken) =>
                SubmitAsync(context, FhirSubmission.Transaction, submitter, time, cancellationToken))
            .WithName("FhirTransaction")
            .WithSummary("Submits a transaction Bundle of vital-sign Observations as one check-in for the token's patient.")
            .WithDescription("All or nothing: an invalid entry rejects the Bundle. Idempotent with `Idempotency-Key`, `If-None-Exist`, or the entries' request.ifNoneExist.")
            .Accepts<object>(FhirMediaTypes.Json)
            .ProducesFhir(
                StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden,
                StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity);

        return app;
    }

    private static async Task<FhirResult> SubmitAsync(
        HttpContext context, FhirSubmission submission, ObservationSubmitter submitter, TimeProvider time, CancellationToken cancellationToken)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return FhirResults.Error(StatusCodes.Status401Unauthorized, OperationOutcome.IssueType.Login,
                "Sign in first: send Authorization: Bearer <token> from POST /api/auth/login.");
        }

        // The patient comes from the token only; a subject naming anyone else is refused by the reader.
        if (!user.IsInRole(HealthFlowRoles.Patient) || user.GetPatientId() is not { } patientId)
        {
            return FhirResults.Error(StatusCodes.Status403Forbidden, OperationOutcome.IssueType.Forbidden,
                "Check-ins are submitted with a patient's token (a device or EHR acting for that patient).");
        }

        var contentType = context.Request.ContentType ?? "";
        if (!contentType.StartsWith(FhirMediaTypes.Json, StringComparison.OrdinalIgnoreCase) && !context.Request.HasJsonContentType())
        {
            return FhirResults.Error(StatusCodes.Status415UnsupportedMediaType, OperationOutcome.IssueType.NotSupported,
                $"Send {FhirMediaTypes.Json} (or application/json).");
        }

        var idempotencyKey = context.Request.Headers[ObservationEndpoints.IdempotencyKeyHeader].ToString();
        var ifNoneExist = context.Request.Headers[IfNoneExistHeader].ToString();
        foreach (var (header, value) in new[] { (ObservationEndpoints.IdempotencyKeyHeader, idempotencyKey), (IfNoneExistHeader, ifNoneExist) })
        {
            if (!ObservationEndpoints.IsValidIdempotencyKey(value))
            {
                return FhirResults.InvalidParameter(header,
                    $"{header} must be 1 to {ObservationEndpoints.MaxIdempotencyKeyLength} visible ASCII characters.");
            }
        }

        // Kestrel enforces the 64 KB limit while this reads; an oversize body becomes a 413.
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.ToArray();

        var read = FhirCheckInReader.Read(body, submission, patientId, time.GetUtcNow());
        if (read is FhirCheckInRead.Rejected rejected)
        {
            return FhirResults.Outcome(rejected.Malformed ? StatusCodes.Status400BadRequest : StatusCodes.Status422UnprocessableEntity, rejected.Outcome);
        }

        var accepted = (FhirCheckInRead.Accepted)read;
        // A conditional create names the check-in by its condition, as an Idempotency-Key does: a retry finds it.
        var conditional = idempotencyKey.Length == 0 && (ifNoneExist.Length > 0 || accepted.ConditionalKey is not null);
        var key = idempotencyKey.Length > 0 ? idempotencyKey
            : ifNoneExist.Length > 0 ? $"{IfNoneExistHeader}:{ifNoneExist}"
            : accepted.ConditionalKey is { } condition ? $"{IfNoneExistHeader}:{condition}"
            : null;
        if (key is { Length: > ObservationEndpoints.MaxIdempotencyKeyLength })
        {
            return FhirResults.Error(StatusCodes.Status422UnprocessableEntity, OperationOutcome.IssueType.TooLong,
                $"The entries' ifNoneExist conditions are longer than {ObservationEndpoints.MaxIdempotencyKeyLength} characters together; send an Idempotency-Key instead.",
                "Bundle.entry.request.ifNoneExist");
        }

        var result = await submitter.SubmitAsync(
            new SubmitObservation(
                patientId,
                user.GetUserId(),
                accepted.CheckIn,
                key,
                Convert.ToHexString(SHA256.HashData(body)),
                context.GetCorrelationId()),
            cancellationToken);

        return result switch
        {
            // FHIR's conditional create: when the condition matches, nothing is created and the match is the answer,
            // whatever this body says. An Idempotency-Key is HealthFlow's own contract and keeps its 422 below.
            SubmissionResult.Accepted { Stored: { } stored } when conditional => Existing(submission, stored, accepted.EntrySlugs),
            SubmissionResult.KeyReused reused when conditional => Existing(submission, reused.Stored, accepted.EntrySlugs),
            SubmissionResult.Accepted created => Created(submission, created.ObservationId, accepted.EntrySlugs),
            SubmissionResult.KeyReused => FhirResults.Error(StatusCodes.Status422UnprocessableEntity, OperationOutcome.IssueType.Duplicate,
                "This key (Idempotency-Key or If-None-Exist) was used before with a different body. Use a new key for a new check-in."),
            _ => throw new InvalidOperationException($"Unhandled submission result {result}."),
        };
    }

    /// <summary>
    /// 200 with what the condition matched, from the stored check-in itself (the read model may not have it yet):
    /// for one Observation, the stored Observation of the same kind (or the check-in's first); for a Bundle, every
    /// Observation of the stored check-in, each "200 OK".
    /// </summary>
    private static FhirResult Existing(FhirSubmission submission, ObservationSubmitted stored, IReadOnlyList<string> slugs)
    {
        var vitals = stored.Vitals;
        var observations = CheckInObservations.From(new ObservationView(
            stored.ObservationId, stored.PatientId, stored.MeasuredAt, stored.SubmittedAt, vitals.Score, vitals.HeartRate,
            vitals.RespiratoryRate, vitals.OxygenSaturation, vitals.OnSupplementalOxygen, vitals.SystolicBp, vitals.DiastolicBp,
            vitals.Temperature, vitals.Consciousness, stored.Note));
        if (submission == FhirSubmission.Observation)
        {
            var sameKind = slugs.Select(slug => CheckInObservations.IdFor(stored.ObservationId, slug)).FirstOrDefault();
            var match = observations.FirstOrDefault(o => o.Id == sameKind) ?? observations[0];
            return new FhirResult(match, StatusCodes.Status200OK, $"{FhirCapabilities.BasePath}/Observation/{match.Id}");
        }

        var response = new Bundle { Type = Bundle.BundleType.TransactionResponse };
        response.Entry.AddRange(observations.Select(observation => new Bundle.EntryComponent
        {
            Resource = observation,
            Response = new Bundle.ResponseComponent { Status = "200 OK", Location = $"Observation/{observation.Id}" },
        }));
        return FhirResults.Ok(response);
    }

    /// <summary>
    /// The Observations are read back (query-api) under their ids once projected: the check-in is stored
    /// now and readable within moments, as with the JSON API's 202.
    /// </summary>
    private static FhirResult Created(FhirSubmission submission, Guid checkInId, IReadOnlyList<string> slugs)
    {
        var locations = slugs.Select(slug => $"Observation/{CheckInObservations.IdFor(checkInId, slug)}").ToList();
        if (submission == FhirSubmission.Observation)
        {
            return FhirResults.Created(
                Outcomes.Information($"Accepted as check-in {checkInId:D}."),
                $"{FhirCapabilities.BasePath}/{locations[0]}");
        }

        var response = new Bundle { Type = Bundle.BundleType.TransactionResponse };
        response.Entry.AddRange(locations.Select(location => new Bundle.EntryComponent
        {
            Response = new Bundle.ResponseComponent { Status = "201 Created", Location = location },
        }));
        return FhirResults.Ok(response);
    }
}
