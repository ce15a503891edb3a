using System.Text.Json.Serialization;

namespace HealthFlow.LocalAws.Sqs;

// The SQS request and result shapes, named as in AWS's API model. The JSON protocol (awsJson1_0)
// serializes them as they are; the query protocol maps them to and from form fields and XML
// (SqsQueryWire). Only members LocalAws acts on are declared; unknown members are ignored, as AWS
// does for optional ones it does not need.

internal sealed class CreateQueueRequest
{
    public string? QueueName { get; set; }
    public Dictionary<string, string>? Attributes { get; set; }
    [JsonPropertyName("tags")] public Dictionary<string, string>? Tags { get; set; }
}

internal sealed class QueueUrlRequest
{
    public string? QueueUrl { get; set; }
}

internal sealed class GetQueueUrlRequest
{
    public string? QueueName { get; set; }
    public string? QueueOwnerAWSAccountId { get; set; }
}

internal sealed class GetQueueAttributesRequest
{
    public string? QueueUrl { get; set; }
    public List<string>? AttributeNames { get; set; }
}

internal sealed class SetQueueAttributesRequest
{
    public string? QueueUrl { get; set; }
    public Dictionary<string, string>? Attributes { get; set; }
}

internal sealed class MessageAttributeValue
{
    public string? DataType { get; set; }
    public string? StringValue { get; set; }
    public byte[]? BinaryValue { get; set; }
    public List<string>? StringListValues { get; set; }
    public List<byte[]>? BinaryListValues { get; set; }
}

/// <summary>What SendMessage and each SendMessageBatch entry carry alike.</summary>
internal abstract class OutgoingMessage
{
    public string? MessageBody { get; set; }
    public int? DelaySeconds { get; set; }
    public Dictionary<string, MessageAttributeValue>? MessageAttributes { get; set; }
    public Dictionary<string, MessageAttributeValue>? MessageSystemAttributes { get; set; }
    public string? MessageDeduplicationId { get; set; }
    public string? MessageGroupId { get; set; }
}

internal sealed class SendMessageRequest : OutgoingMessage
{
    public string? QueueUrl { get; set; }
}

internal sealed class SendMessageBatchEntry : OutgoingMessage
{
    public string? Id { get; set; }
}

internal sealed class SendMessageBatchRequest
{
    public string? QueueUrl { get; set; }
    public List<SendMessageBatchEntry>? Entries { get; set; }
}

internal sealed class ReceiveMessageRequest
{
    public string? QueueUrl { get; set; }
    public List<string>? AttributeNames { get; set; }
    public List<string>? MessageSystemAttributeNames { get; set; }
    public List<string>? MessageAttributeNames { get; set; }
    public int? MaxNumberOfMessages { get; set; }
    public int? VisibilityTimeout { get; set; }
    public int? WaitTimeSeconds { get; set; }
    public string? ReceiveRequestAttemptId { get; set; }
}

internal sealed class DeleteMessageRequest
{
    public string? QueueUrl { get; set; }
    public string? ReceiptHandle { get; set; }
}

internal sealed class ReceiptBatchEntry
{
    public string? Id { get; set; }
    public string? ReceiptHandle { get; set; }
    public int? VisibilityTimeout { get; set; }
}

internal sealed class ReceiptBatchRequest
{
    public string? QueueUrl { get; set; }
    public List<ReceiptBatchEntry>? Entries { get; set; }
}

internal sealed class ChangeMessageVisibilityRequest
{
    public string? QueueUrl { get; set; }
    public string? ReceiptHandle { get; set; }
    public int? VisibilityTimeout { get; set; }
}

internal sealed class ListDeadLetterSourceQueuesRequest
{
    public string? QueueUrl { get; set; }
    public int? MaxResults { get; set; }
    public string? NextToken { get; set; }
}

internal sealed class ListQueuesRequest
{
    public string? QueueNamePrefix { get; set; }
    public int? MaxResults { get; set; }
    public string? NextToken { get; set; }
}

internal sealed record QueueUrlResponse(string QueueUrl);

internal sealed record QueueAttributesResponse(Dictionary<string, string>? Attributes);

internal sealed record ListQueuesResponse(List<string>? QueueUrls, string? NextToken);

internal sealed record ListDeadLetterSourceQueuesResponse(
    [property: JsonPropertyName("queueUrls")] List<string> QueueUrls,
    string? NextToken);

internal sealed record SendMessageResponse(
    string MessageId,
    string MD5OfMessageBody,
    string? MD5OfMessageAttributes,
    string? MD5OfMessageSystemAttributes);

internal sealed record SendMessageBatchResultEntry(
    string Id,
    string MessageId,
    string MD5OfMessageBody,
    string? MD5OfMessageAttributes,
    string? MD5OfMessageSystemAttributes);

internal sealed record BatchResultErrorEntry(string Id, bool SenderFault, string Code, string Message);

internal sealed record SendMessageBatchResponse(List<SendMessageBatchResultEntry> Successful, List<BatchResultErrorEntry> Failed);

internal sealed record BatchIdEntry(string Id);

internal sealed record ReceiptBatchResponse(List<BatchIdEntry> Successful, List<BatchResultErrorEntry> Failed);

internal sealed record ReceivedMessage(
    string MessageId,
    string ReceiptHandle,
    string MD5OfBody,
    string Body,
    Dictionary<string, string>? Attributes,
    string? MD5OfMessageAttributes,
    Dictionary<string, MessageAttributeValue>? MessageAttributes);

internal sealed record ReceiveMessageResponse(List<ReceivedMessage>? Messages);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateQueueRequest))]
[JsonSerializable(typeof(QueueUrlRequest))]
[JsonSerializable(typeof(GetQueueUrlRequest))]
[JsonSerializable(typeof(GetQueueAttributesRequest))]
[JsonSerializable(typeof(SetQueueAttributesRequest))]
[JsonSerializable(typeof(SendMessageRequest))]
[JsonSerializable(typeof(SendMessageBatchRequest))]
[JsonSerializable(typeof(ReceiveMessageRequest))]
[JsonSerializable(typeof(DeleteMessageRequest))]
[JsonSerializable(typeof(ReceiptBatchRequest))]
[JsonSerializable(typeof(ChangeMessageVisibilityRequest))]
[JsonSerializable(typeof(ListQueuesRequest))]
[JsonSerializable(typeof(ListDeadLetterSourceQueuesRequest))]
[JsonSerializable(typeof(ListDeadLetterSourceQueuesResponse))]
[JsonSerializable(typeof(QueueUrlResponse))]
[JsonSerializable(typeof(QueueAttributesResponse))]
[JsonSerializable(typeof(ListQueuesResponse))]
[JsonSerializable(typeof(SendMessageResponse))]
[JsonSerializable(typeof(SendMessageBatchResponse))]
[JsonSerializable(typeof(ReceiptBatchResponse))]
[JsonSerializable(typeof(ReceiveMessageResponse))]
[JsonSerializable(typeof(RedrivePolicyDocument))]
internal sealed partial class SqsJsonContext : JsonSerializerContext;

/// <summary>The RedrivePolicy attribute's JSON; maxReceiveCount arrives as a number or a string.</summary>
internal sealed class RedrivePolicyDocument
{
    [JsonPropertyName("deadLetterTargetArn")] public string? DeadLetterTargetArn { get; set; }

    [JsonPropertyName("maxReceiveCount")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public int? MaxReceiveCount { get; set; }
}
