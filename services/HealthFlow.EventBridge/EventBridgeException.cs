using System.Net;

namespace HealthFlow.EventBridge;

/// <summary>
/// An error reply from EventBridge. <see cref="ErrorCode"/> is the AWS error code without namespace,
/// e.g. <c>InvalidEventPatternException</c> or <c>ResourceNotFoundException</c>.
/// </summary>
public sealed class EventBridgeException(string errorCode, string message, HttpStatusCode statusCode, string? requestId)
    : Exception($"{errorCode}: {message}")
{
    public string ErrorCode { get; } = errorCode;

    public string ErrorMessage { get; } = message;

    public HttpStatusCode StatusCode { get; } = statusCode;

    public string? RequestId { get; } = requestId;

    /// <summary>Server-side and throttling failures are worth retrying; validation errors are not.</summary>
    /// <summary>
    /// The request itself is invalid (too large, a malformed entry): sending it again gives the same answer. Not
    /// an access or configuration error, which a fix outside the request can cure.
    /// </summary>
    public bool RefusesTheRequest => ErrorCode is "ValidationException" or "InvalidArgument" or "MalformedDetail";

    public bool IsTransient =>
        (int)StatusCode >= 500 || ErrorCode is "ThrottlingException" or "LimitExceededException" or "InternalException";
}
