namespace HealthFlow.LocalAws.Protocol;

/// <summary>
/// An AWS error reply. <see cref="Type"/> goes into the JSON body's <c>__type</c>; for SQS, which is
/// "awsQueryCompatible", <see cref="QueryErrorCode"/> also goes into the <c>x-amzn-query-error</c>
/// header, from which the SDK takes the legacy error code (e.g. AWS.SimpleQueueService.NonExistentQueue).
/// </summary>
internal sealed class AwsServiceException(string type, string message, string? queryErrorCode = null, int statusCode = 400)
    : Exception(message)
{
    public string Type { get; } = type;

    public string? QueryErrorCode { get; } = queryErrorCode;

    public int StatusCode { get; } = statusCode;

    public bool SenderFault => StatusCode < 500;
}
