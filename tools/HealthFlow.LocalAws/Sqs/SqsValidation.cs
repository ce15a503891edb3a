using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace HealthFlow.LocalAws.Sqs;

/// <summary>
/// SQS's rules for what a request may carry, with AWS's error for each breach. Both halves of
/// <see cref="SqsService"/> check their input here, so a rule and its message exist once.
/// </summary>
internal static partial class SqsValidation
{
    private const int MaxBatchEntries = 10;
    private const int MaxVisibilityTimeout = 43_200;
    private const int MaxWaitTimeSeconds = 20;
    private const int MaxMessageAttributes = 10;
    private const int MaxDelaySeconds = 900;

    public static string QueueName(string? name)
    {
        if (string.IsNullOrEmpty(name))
            throw SqsErrors.MissingParameter("QueueName");
        if (name.EndsWith(".fifo", StringComparison.Ordinal))
            throw SqsErrors.UnsupportedOperation("FIFO queues are not supported by LocalAws.");
        if (!QueueNamePattern().IsMatch(name))
            throw SqsErrors.InvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
        return name;
    }

    /// <summary>ReceiveMessage's limits; an omitted visibility timeout or wait is the queue's.</summary>
    public static (int MaxMessages, int VisibilityTimeout, int WaitTimeSeconds) Receive(ReceiveMessageRequest request, QueueSettings settings)
    {
        int max = request.MaxNumberOfMessages ?? 1;
        if (max is < 1 or > MaxBatchEntries)
            throw SqsErrors.InvalidParameterValue($"Value {max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
        int visibility = request.VisibilityTimeout ?? settings.VisibilityTimeout;
        if (visibility is < 0 or > MaxVisibilityTimeout)
            throw SqsErrors.InvalidParameterValue($"Value {visibility} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.");
        int wait = request.WaitTimeSeconds ?? settings.ReceiveMessageWaitTimeSeconds;
        if (wait is < 0 or > MaxWaitTimeSeconds)
            throw SqsErrors.InvalidParameterValue($"Value {wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.");
        return (max, visibility, wait);
    }

    /// <summary>ChangeMessageVisibility's timeout, which (unlike ReceiveMessage's) must be given.</summary>
    public static int VisibilityTimeout(int? timeout)
    {
        if (timeout is not { } seconds)
            throw SqsErrors.MissingParameter("VisibilityTimeout");
        if (seconds is < 0 or > MaxVisibilityTimeout)
            throw SqsErrors.InvalidParameterValue($"Value {seconds} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.");
        return seconds;
    }

    public static (Guid MessageId, int Generation) Receipt(string? handle) =>
        ReceiptHandle.TryParse(handle, out var id, out var generation) ? (id, generation) : throw SqsErrors.ReceiptHandleIsInvalid(handle);

    /// <summary>A batch of 1 to 10 entries whose ids are valid and distinct.</summary>
    public static List<T> Batch<T>(List<T>? entries, Func<T, string?> idOf)
    {
        if (entries is null || entries.Count == 0)
            throw SqsErrors.EmptyBatchRequest();
        if (entries.Count > MaxBatchEntries)
            throw SqsErrors.TooManyEntriesInBatchRequest(entries.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var id = idOf(entry);
            if (id is null || !BatchIdPattern().IsMatch(id))
                throw SqsErrors.InvalidBatchEntryId(id);
            if (!seen.Add(id))
                throw SqsErrors.BatchEntryIdsNotDistinct(id);
        }

        return entries;
    }

    public static string Body(string? body)
    {
        if (string.IsNullOrEmpty(body))
            throw SqsErrors.MissingParameter("MessageBody");
        if (!SqsCharacters.AreValid(body))
            throw SqsErrors.InvalidMessageContents("Invalid characters found. " + SqsCharacters.Allowed);
        return body;
    }

    public static int Delay(int? delaySeconds, QueueSettings settings)
    {
        int delay = delaySeconds ?? settings.DelaySeconds;
        if (delay is < 0 or > MaxDelaySeconds)
            throw SqsErrors.InvalidParameterValue($"Value {delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.");
        return delay;
    }

    public static void Attributes(Dictionary<string, MessageAttributeValue>? attributes)
    {
        if (attributes is null)
            return;
        if (attributes.Count > MaxMessageAttributes)
            throw SqsErrors.InvalidParameterValue($"Number of message attributes [{attributes.Count}] exceeds the allowed maximum [{MaxMessageAttributes}].");
        foreach (var (name, value) in attributes)
        {
            if (!AttributeNamePattern().IsMatch(name) || name.Contains("..", StringComparison.Ordinal)
                || name.StartsWith("AWS.", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Amazon.", StringComparison.OrdinalIgnoreCase))
                throw SqsErrors.InvalidParameterValue($"Message attribute name '{name}' is invalid.");
            var dataType = value.DataType;
            if (string.IsNullOrEmpty(dataType))
                throw SqsErrors.InvalidParameterValue($"The message attribute '{name}' must contain a non-empty attribute type.");
            // Stored, it would make every later query-protocol (XML) receive of the message fail.
            if (!SqsCharacters.AreValid(dataType) || value.StringValue is { } text && !SqsCharacters.AreValid(text))
                throw SqsErrors.InvalidParameterValue($"Message (user) attribute '{name}' contains invalid characters. {SqsCharacters.Allowed}.");
            if (value.StringListValues is { Count: > 0 } || value.BinaryListValues is { Count: > 0 })
                throw SqsErrors.InvalidParameterValue($"Message attribute list values in SendMessage operation are not supported.");

            if (IsType(dataType, "Binary"))
            {
                if (value.BinaryValue is null)
                    throw SqsErrors.InvalidParameterValue($"The message attribute '{name}' with type 'Binary' must use field 'Binary'.");
            }
            else if (IsType(dataType, "String") || IsType(dataType, "Number"))
            {
                if (value.StringValue is null || value.BinaryValue is not null)
                    throw SqsErrors.InvalidParameterValue($"The message attribute '{name}' with type '{dataType}' must use field 'String'.");
                if (IsType(dataType, "Number") && !decimal.TryParse(value.StringValue, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                    throw SqsErrors.InvalidParameterValue($"Can't cast the value of message (user) attribute '{name}' to a number.");
            }
            else
            {
                throw SqsErrors.InvalidParameterValue($"The type of message (user) attribute '{name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.");
            }
        }
    }

    /// <summary>The one system attribute a sender may set, AWSTraceHeader; null when none is set.</summary>
    public static string? TraceHeader(Dictionary<string, MessageAttributeValue>? systemAttributes)
    {
        if (systemAttributes is null)
            return null;
        string? traceHeader = null;
        foreach (var (name, value) in systemAttributes)
        {
            if (name != "AWSTraceHeader" || value.DataType != "String" || string.IsNullOrEmpty(value.StringValue) || !SqsCharacters.AreValid(value.StringValue))
                throw SqsErrors.InvalidParameterValue($"Message system attribute name '{name}' is invalid.");
            traceHeader = value.StringValue;
        }

        return traceHeader;
    }

    /// <summary>A message's size as SQS counts it against MaximumMessageSize: its body and its attributes.</summary>
    public static int Size(string? body, Dictionary<string, MessageAttributeValue>? attributes)
    {
        int size = Encoding.UTF8.GetByteCount(body ?? string.Empty);
        if (attributes is null)
            return size;
        foreach (var (name, value) in attributes)
        {
            size += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value.DataType ?? string.Empty);
            size += value.BinaryValue?.Length ?? Encoding.UTF8.GetByteCount(value.StringValue ?? string.Empty);
        }

        return size;
    }

    private static bool IsType(string dataType, string baseType) =>
        dataType.StartsWith(baseType, StringComparison.Ordinal) && (dataType.Length == baseType.Length || dataType[baseType.Length] == '.');

    [GeneratedRegex("^[A-Za-z0-9_-]{1,80}$")]
    private static partial Regex QueueNamePattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,80}$")]
    private static partial Regex BatchIdPattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,256}$")]
    private static partial Regex AttributeNamePattern();
}
