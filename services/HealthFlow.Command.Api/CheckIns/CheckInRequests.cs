using System.Security.Cryptography;
using HealthFlow.Domain.CheckIns;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.ServiceDefaults.Http;

namespace HealthFlow.Command.Api.CheckIns;

/// <summary>What <see cref="CheckInRequests.ReadAsync"/> found in a check-in request, before its body is parsed.</summary>
public abstract record CheckInRequest
{
    private CheckInRequest()
    {
    }

    /// <summary>
    /// The body and who sent it; <paramref name="Keys"/> holds the idempotency headers asked for, in order, each
    /// empty when absent.
    /// </summary>
    public sealed record Read(Guid PatientId, string UserId, string CorrelationId, byte[] Body, IReadOnlyList<string> Keys) : CheckInRequest
    {
        /// <summary>The SHA-256 of the body: a retry under the same key is told apart from a different check-in by it.</summary>
        public string RequestHash { get; } = Convert.ToHexString(SHA256.HashData(Body));

        public SubmitCheckIn Submit(CheckIn checkIn, string? idempotencyKey) =>
            new(PatientId, UserId, checkIn, idempotencyKey, RequestHash, CorrelationId);
    }

    /// <summary>The token names no patient (403).</summary>
    public sealed record NoPatient : CheckInRequest;

    /// <summary>The body is not sent as JSON (415).</summary>
    public sealed record UnsupportedMediaType : CheckInRequest;

    /// <summary>An idempotency header is malformed (refused as an invalid parameter).</summary>
    public sealed record InvalidKey(string Header) : CheckInRequest
    {
        public string Message => $"{Header} must be 1 to {CheckInRequests.MaxIdempotencyKeyLength} visible ASCII characters.";
    }
}

/// <summary>
/// The opening the JSON and FHIR check-in endpoints share: the patient from the token, the media type, the
/// idempotency headers and the raw body (hashed as it arrived). Each endpoint answers the refusals in its own
/// format and parses the body its own way into the same <see cref="SubmitCheckIn"/>.
/// </summary>
public static class CheckInRequests
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const int MaxIdempotencyKeyLength = 255;

    /// <summary>1 to 255 visible ASCII characters (empty means "no key").</summary>
    public static bool IsValidIdempotencyKey(string key) =>
        key.Length <= MaxIdempotencyKeyLength && key.All(c => c is >= (char)0x21 and <= (char)0x7e);

    public static async Task<CheckInRequest> ReadAsync(
        HttpContext context, Func<HttpRequest, bool> acceptsMediaType, IReadOnlyList<string> keyHeaders, CancellationToken cancellationToken)
    {
        var user = context.User;
        // The patient comes from the token only: a patient id in the body is refused by the parsers.
        if (!user.IsInRole(HealthFlowRoles.Patient) || user.GetPatientId() is not { } patientId)
        {
            return new CheckInRequest.NoPatient();
        }

        if (!acceptsMediaType(context.Request))
        {
            return new CheckInRequest.UnsupportedMediaType();
        }

        var keys = keyHeaders.Select(header => context.Request.Headers[header].ToString()).ToList();
        if (keyHeaders.Zip(keys).FirstOrDefault(pair => !IsValidIdempotencyKey(pair.Second)) is { First: { } invalid })
        {
            return new CheckInRequest.InvalidKey(invalid);
        }

        // Kestrel enforces the 64 KB limit while this reads; an oversize body becomes a 413.
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, cancellationToken);
        return new CheckInRequest.Read(patientId, user.GetUserId(), context.GetCorrelationId(), buffer.ToArray(), keys);
    }
}
