using HealthFlow.LocalAws.Protocol;

namespace HealthFlow.LocalAws.Sqs;

/// <summary>SQS error replies: the JSON <c>__type</c> and the legacy query code the SDK maps to exceptions.</summary>
internal static class SqsErrors
{
    private const string Namespace = "com.amazonaws.sqs#";

    public static AwsServiceException QueueDoesNotExist() =>
        new(Namespace + "QueueDoesNotExist", "The specified queue does not exist.", "AWS.SimpleQueueService.NonExistentQueue");

    public static AwsServiceException QueueNameExists(string name) =>
        new(Namespace + "QueueNameExists", $"A queue already exists with the same name and a different value for attribute(s) of {name}.", "QueueAlreadyExists");

    public static AwsServiceException InvalidParameterValue(string message) =>
        new(Namespace + "InvalidParameterValueException", message, "InvalidParameterValue");

    public static AwsServiceException MissingParameter(string parameter) =>
        new(Namespace + "MissingParameter", $"The request must contain the parameter {parameter}.", "MissingParameter");

    public static AwsServiceException InvalidAttributeName(string name) =>
        new(Namespace + "InvalidAttributeName", $"Unknown Attribute {name}.", "InvalidAttributeName");

    public static AwsServiceException InvalidAttributeValue(string name, string reason) =>
        new(Namespace + "InvalidAttributeValue", $"Invalid value for the parameter {name}. Reason: {reason}", "InvalidAttributeValue");

    public static AwsServiceException InvalidMessageContents(string reason) =>
        new(Namespace + "InvalidMessageContents", reason, "InvalidMessageContents");

    public static AwsServiceException ReceiptHandleIsInvalid(string? handle) =>
        new(Namespace + "ReceiptHandleIsInvalid", $"The input receipt handle \"{handle}\" is not a valid receipt handle.", "ReceiptHandleIsInvalid");

    public static AwsServiceException MessageNotInflight() =>
        new(Namespace + "MessageNotInflight", "The message referred to isn't in flight.", "AWS.SimpleQueueService.MessageNotInflight");

    public static AwsServiceException EmptyBatchRequest() =>
        new(Namespace + "EmptyBatchRequest", "There should be at least one entry in the request.", "AWS.SimpleQueueService.EmptyBatchRequest");

    public static AwsServiceException TooManyEntriesInBatchRequest(int count) =>
        new(Namespace + "TooManyEntriesInBatchRequest", $"Maximum number of entries per request are 10. You have sent {count}.", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest");

    public static AwsServiceException BatchEntryIdsNotDistinct(string id) =>
        new(Namespace + "BatchEntryIdsNotDistinct", $"Id {id} repeated.", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct");

    public static AwsServiceException InvalidBatchEntryId(string? id) =>
        new(Namespace + "InvalidBatchEntryId", $"A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long. Got '{id}'.", "AWS.SimpleQueueService.InvalidBatchEntryId");

    public static AwsServiceException BatchRequestTooLong(int size, int max) =>
        new(Namespace + "BatchRequestTooLong", $"Batch requests cannot be longer than {max} bytes. You have sent {size} bytes.", "AWS.SimpleQueueService.BatchRequestTooLong");

    public static AwsServiceException UnsupportedOperation(string message) =>
        new(Namespace + "UnsupportedOperation", message, "AWS.SimpleQueueService.UnsupportedOperation");

    public static AwsServiceException UnknownOperation(string operation) =>
        new("com.amazon.coral.service#UnknownOperationException", $"Operation {operation} is not supported by LocalAws.", "InvalidAction");

    // The two below arise only on the query protocol, where the action and the fields are form fields.
    public static AwsServiceException MissingAction() =>
        new(Namespace + "MissingAction", "The request must contain the parameter Action.", "MissingAction");

    public static AwsServiceException MalformedQueryString(string reason) =>
        new(Namespace + "MalformedQueryString", reason, "MalformedQueryString");
}
