using HealthFlow.LocalAws.Protocol;

namespace HealthFlow.LocalAws.EventBridge;

internal static class EventBridgeErrors
{
    public static AwsServiceException ResourceNotFound(string message) => new("ResourceNotFoundException", message);

    public static AwsServiceException ResourceAlreadyExists(string message) => new("ResourceAlreadyExistsException", message);

    public static AwsServiceException Validation(string message) => new("ValidationException", message);

    public static AwsServiceException LimitExceeded(string message) => new("LimitExceededException", message);

    public static AwsServiceException InvalidEventPattern(string message) => new("InvalidEventPatternException", message);

    public static AwsServiceException UnknownOperation(string operation) =>
        new("UnknownOperationException", $"Operation {operation} is not supported by LocalAws.");
}
