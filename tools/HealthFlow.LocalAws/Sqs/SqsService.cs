using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using HealthFlow.LocalAws.Protocol;

namespace HealthFlow.LocalAws.Sqs;

/// <summary>
/// The SQS operations, on typed requests and results. Both wire formats (<see cref="SqsJsonWire"/>,
/// <see cref="SqsQueryWire"/>) read into and write from the same shapes, so queue state and rules are
/// one SQS whichever protocol a client speaks. Queue URLs are built from the request's origin, so
/// they work for any port.
/// </summary>
internal sealed partial class SqsService(SqsQueueStore queues, Faults.FaultInjector faults)
{
    private const int MaxBatchEntries = 10;
    private const int MaxVisibilityTimeout = 43_200;
    private const int MaxWaitTimeSeconds = 20;
    private const int MaxMessageAttributes = 10;

    private static readonly string[] SystemAttributeNames =
        ["SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp", "AWSTraceHeader"];

    /// <summary>The actions LocalAws serves, in both wire formats.</summary>
    public static readonly IReadOnlyList<string> Actions =
    [
        "CreateQueue", "GetQueueUrl", "GetQueueAttributes", "SetQueueAttributes", "PurgeQueue", "DeleteQueue", "ListQueues",
        "ListDeadLetterSourceQueues", "SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch",
        "ChangeMessageVisibility", "ChangeMessageVisibilityBatch",
    ];

    public async Task HandleAsync(string operation, SqsWire wire)
    {
        switch (operation)
        {
            case "SendMessage":
                await wire.WriteAsync(SendMessage(await wire.ReadAsync<SendMessageRequest>()));
                break;
            case "ReceiveMessage":
                await wire.WriteAsync(await ReceiveMessageAsync(await wire.ReadAsync<ReceiveMessageRequest>(), wire.Aborted));
                break;
            case "DeleteMessage":
                DeleteMessage(await wire.ReadAsync<DeleteMessageRequest>());
                await wire.WriteEmptyAsync();
                break;
            case "SendMessageBatch":
                await wire.WriteAsync(SendMessageBatch(await wire.ReadAsync<SendMessageBatchRequest>()));
                break;
            case "DeleteMessageBatch":
                await wire.WriteAsync(DeleteMessageBatch(await wire.ReadAsync<ReceiptBatchRequest>()));
                break;
            case "ChangeMessageVisibility":
                ChangeMessageVisibility(await wire.ReadAsync<ChangeMessageVisibilityRequest>());
                await wire.WriteEmptyAsync();
                break;
            case "ChangeMessageVisibilityBatch":
                await wire.WriteAsync(ChangeMessageVisibilityBatch(await wire.ReadAsync<ReceiptBatchRequest>()));
                break;
            case "CreateQueue":
                await wire.WriteAsync(CreateQueue(await wire.ReadAsync<CreateQueueRequest>(), wire.Origin));
                break;
            case "GetQueueUrl":
                await wire.WriteAsync(GetQueueUrl(await wire.ReadAsync<GetQueueUrlRequest>(), wire.Origin));
                break;
            case "GetQueueAttributes":
                await wire.WriteAsync(GetQueueAttributes(await wire.ReadAsync<GetQueueAttributesRequest>()));
                break;
            case "SetQueueAttributes":
                SetQueueAttributes(await wire.ReadAsync<SetQueueAttributesRequest>());
                await wire.WriteEmptyAsync();
                break;
            case "PurgeQueue":
                Resolve((await wire.ReadAsync<QueueUrlRequest>()).QueueUrl).Purge();
                await wire.WriteEmptyAsync();
                break;
            case "ListQueues":
                await wire.WriteAsync(ListQueues(await wire.ReadAsync<ListQueuesRequest>(), wire.Origin));
                break;
            case "ListDeadLetterSourceQueues":
                await wire.WriteAsync(ListDeadLetterSourceQueues(await wire.ReadAsync<ListDeadLetterSourceQueuesRequest>(), wire.Origin));
                break;
            case "DeleteQueue":
                DeleteQueue(await wire.ReadAsync<QueueUrlRequest>());
                await wire.WriteEmptyAsync();
                break;
            default:
                throw SqsErrors.UnknownOperation(operation);
        }
    }

    // ---- Queues ---------------------------------------------------------------------------------

    public QueueUrlResponse CreateQueue(CreateQueueRequest request, string origin)
    {
        var name = request.QueueName;
        if (string.IsNullOrEmpty(name))
            throw SqsErrors.MissingParameter("QueueName");
        if (name.EndsWith(".fifo", StringComparison.Ordinal))
            throw SqsErrors.UnsupportedOperation("FIFO queues are not supported by LocalAws.");
        if (!QueueNamePattern().IsMatch(name))
            throw SqsErrors.InvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");

        var settings = new QueueSettings().With(request.Attributes, arn => queues.TryGetByArn(arn, out _));
        var queue = queues.GetOrAdd(name, () => new SqsQueue(name, queues.ArnFor(name), settings, queues));
        if (!ReferenceEquals(queue.Settings, settings) && !queue.Settings.Agrees(request.Attributes))
            throw SqsErrors.QueueNameExists(name);

        return new QueueUrlResponse(QueueUrl(origin, name));
    }

    public QueueUrlResponse GetQueueUrl(GetQueueUrlRequest request, string origin)
    {
        if (string.IsNullOrEmpty(request.QueueName))
            throw SqsErrors.MissingParameter("QueueName");
        if (!queues.TryGet(request.QueueName, out _))
            throw SqsErrors.QueueDoesNotExist();
        return new QueueUrlResponse(QueueUrl(origin, request.QueueName));
    }

    /// <summary>The selected attributes; none selected is an answer without attributes, as on AWS.</summary>
    public QueueAttributesResponse GetQueueAttributes(GetQueueAttributesRequest request)
    {
        var queue = Resolve(request.QueueUrl);
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        queue.Settings.WriteTo(all);
        var (visible, inFlight, delayed) = queue.Counts();
        all["ApproximateNumberOfMessages"] = Text(visible);
        all["ApproximateNumberOfMessagesNotVisible"] = Text(inFlight);
        all["ApproximateNumberOfMessagesDelayed"] = Text(delayed);
        all["CreatedTimestamp"] = Text(queue.CreatedTimestamp);
        all["LastModifiedTimestamp"] = Text(queue.LastModifiedTimestamp);
        all["QueueArn"] = queue.Arn;

        var names = request.AttributeNames ?? [];
        if (names.Contains("All"))
            return new QueueAttributesResponse(all);

        var selected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var attributeName in names)
        {
            if (all.TryGetValue(attributeName, out var value))
                selected[attributeName] = value;
            else if (!IsKnownOptionalAttribute(attributeName))
                throw SqsErrors.InvalidAttributeName(attributeName);
        }

        return new QueueAttributesResponse(selected.Count > 0 ? selected : null);
    }

    public void SetQueueAttributes(SetQueueAttributesRequest request)
    {
        var queue = Resolve(request.QueueUrl);
        if (request.Attributes is { } attributes)
        {
            foreach (var attributeName in attributes.Keys)
            {
                if (QueueSettings.ReadOnlyNames.Contains(attributeName))
                    throw SqsErrors.InvalidAttributeName(attributeName);
            }
        }

        queue.UpdateSettings(queue.Settings.With(request.Attributes, arn => queues.TryGetByArn(arn, out _)));
    }

    public void DeleteQueue(QueueUrlRequest request)
    {
        var queue = Resolve(request.QueueUrl);
        if (queues.TryRemove(queue.Name, out var removed))
            removed.MarkDeleted();
    }

    public ListQueuesResponse ListQueues(ListQueuesRequest request, string origin)
    {
        var page = Page(
            queues.All.Where(q => request.QueueNamePrefix is null || q.Name.StartsWith(request.QueueNamePrefix, StringComparison.Ordinal)),
            request.MaxResults,
            request.NextToken,
            origin);
        return new ListQueuesResponse(page.QueueUrls, page.NextToken);
    }

    /// <summary>The queues whose RedrivePolicy sends their dead letters to this one.</summary>
    public ListDeadLetterSourceQueuesResponse ListDeadLetterSourceQueues(ListDeadLetterSourceQueuesRequest request, string origin)
    {
        var deadLetterQueue = Resolve(request.QueueUrl);
        var page = Page(
            queues.All.Where(q => q.Settings.RedrivePolicy?.DeadLetterTargetArn == deadLetterQueue.Arn),
            request.MaxResults,
            request.NextToken,
            origin);
        // AWS always answers this one with a (possibly empty) list.
        return new ListDeadLetterSourceQueuesResponse(page.QueueUrls ?? [], page.NextToken);
    }

    private static (List<string>? QueueUrls, string? NextToken) Page(IEnumerable<SqsQueue> matching, int? maxResults, string? nextToken, string origin)
    {
        int max = maxResults ?? 1000;
        if (max is < 1 or > 1000)
            throw SqsErrors.InvalidParameterValue("Value for parameter MaxResults is invalid. Reason: Must be between 1 and 1000.");
        int start = 0;
        if (nextToken is { Length: > 0 } token && !int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out start))
            throw SqsErrors.InvalidParameterValue("Invalid NextToken value.");

        var names = matching.Select(q => q.Name).Order(StringComparer.Ordinal).ToList();
        var page = names.Skip(start).Take(max).Select(n => QueueUrl(origin, n)).ToList();
        bool more = start + page.Count < names.Count;
        // NextToken is only used when the caller pages (MaxResults given), as on AWS.
        return (page.Count > 0 ? page : null, more && maxResults is not null ? Text(start + page.Count) : null);
    }

    // ---- Messages -------------------------------------------------------------------------------

    public SendMessageResponse SendMessage(SendMessageRequest request)
    {
        var queue = Resolve(request.QueueUrl);
        var message = CreateMessage(queue, request, out var delay, out var systemMd5);
        queue.Enqueue(message, delay);
        return new SendMessageResponse(message.MessageId, message.BodyMd5, message.AttributesMd5, systemMd5);
    }

    public SendMessageBatchResponse SendMessageBatch(SendMessageBatchRequest request)
    {
        var queue = Resolve(request.QueueUrl);
        var entries = ValidateBatch(request.Entries, e => e.Id);

        int totalSize = entries.Sum(e => Encoding.UTF8.GetByteCount(e.MessageBody ?? string.Empty) + AttributesSize(e.MessageAttributes));
        if (totalSize > queue.Settings.MaximumMessageSize)
            throw SqsErrors.BatchRequestTooLong(totalSize, queue.Settings.MaximumMessageSize);

        var successful = new List<SendMessageBatchResultEntry>(entries.Count);
        var failed = new List<BatchResultErrorEntry>();
        foreach (var entry in entries)
        {
            try
            {
                var message = CreateMessage(queue, entry, out var delay, out var systemMd5);
                queue.Enqueue(message, delay);
                successful.Add(new SendMessageBatchResultEntry(entry.Id!, message.MessageId, message.BodyMd5, message.AttributesMd5, systemMd5));
            }
            catch (AwsServiceException error)
            {
                failed.Add(BatchFailure(entry.Id!, error));
            }
        }

        return new SendMessageBatchResponse(successful, failed);
    }

    public async Task<ReceiveMessageResponse> ReceiveMessageAsync(ReceiveMessageRequest request, CancellationToken aborted)
    {
        var queue = Resolve(request.QueueUrl);
        var settings = queue.Settings;

        int max = request.MaxNumberOfMessages ?? 1;
        if (max is < 1 or > MaxBatchEntries)
            throw SqsErrors.InvalidParameterValue($"Value {max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
        int visibility = request.VisibilityTimeout ?? settings.VisibilityTimeout;
        if (visibility is < 0 or > MaxVisibilityTimeout)
            throw SqsErrors.InvalidParameterValue($"Value {visibility} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.");
        int wait = request.WaitTimeSeconds ?? settings.ReceiveMessageWaitTimeSeconds;
        if (wait is < 0 or > MaxWaitTimeSeconds)
            throw SqsErrors.InvalidParameterValue($"Value {wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.");

        var waitFor = TimeSpan.FromSeconds(wait);
        if (faults.DeliveriesOf(queue.Name) is (true, var released))
        {
            // A held queue answers as an empty one: the long poll waits, and goes on receiving if the hold ends within it.
            var started = Environment.TickCount64;
            await released.WaitAsync(waitFor, aborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            aborted.ThrowIfCancellationRequested();
            if (faults.DeliveriesOf(queue.Name).Held)
                return new ReceiveMessageResponse(null);
            waitFor = TimeSpan.FromMilliseconds(Math.Max(0, waitFor.TotalMilliseconds - (Environment.TickCount64 - started)));
        }

        var deliveries = await queue.ReceiveAsync(max, visibility, waitFor, aborted);
        if (deliveries.Count == 0)
        {
            if (queue.IsDeleted)
                throw SqsErrors.QueueDoesNotExist();
            return new ReceiveMessageResponse(null);
        }

        var systemNames = SelectSystemAttributes(request.AttributeNames, request.MessageSystemAttributeNames);
        var messages = new List<ReceivedMessage>(deliveries.Count);
        foreach (var delivery in deliveries)
        {
            var message = delivery.Message;
            var attributes = SelectMessageAttributes(message, request.MessageAttributeNames);
            string? attributesMd5 = attributes is null ? null
                : ReferenceEquals(attributes, message.Attributes) ? message.AttributesMd5
                : MessageDigest.OfAttributes(attributes);
            messages.Add(new ReceivedMessage(
                message.MessageId,
                delivery.ReceiptHandle,
                message.BodyMd5,
                message.Body,
                SystemAttributes(delivery, systemNames),
                attributesMd5,
                attributes as Dictionary<string, MessageAttributeValue> ?? (attributes is null ? null : new Dictionary<string, MessageAttributeValue>(attributes))));
        }

        return new ReceiveMessageResponse(messages);
    }

    public void DeleteMessage(DeleteMessageRequest request)
    {
        var queue = Resolve(request.QueueUrl);
        if (!ReceiptHandle.TryParse(request.ReceiptHandle, out var id, out var generation))
            throw SqsErrors.ReceiptHandleIsInvalid(request.ReceiptHandle);
        // A stale handle (the message was received again since) succeeds without deleting, as on AWS.
        queue.Delete(id, generation);
    }

    public ReceiptBatchResponse DeleteMessageBatch(ReceiptBatchRequest request)
    {
        var queue = Resolve(request.QueueUrl);
        return EachReceipt(request, entry =>
        {
            if (!ReceiptHandle.TryParse(entry.ReceiptHandle, out var id, out var generation))
                throw SqsErrors.ReceiptHandleIsInvalid(entry.ReceiptHandle);
            queue.Delete(id, generation);
        });
    }

    public void ChangeMessageVisibility(ChangeMessageVisibilityRequest request) =>
        ChangeVisibility(Resolve(request.QueueUrl), request.ReceiptHandle, request.VisibilityTimeout);

    public ReceiptBatchResponse ChangeMessageVisibilityBatch(ReceiptBatchRequest request)
    {
        var queue = Resolve(request.QueueUrl);
        return EachReceipt(request, entry => ChangeVisibility(queue, entry.ReceiptHandle, entry.VisibilityTimeout));
    }

    /// <summary>Applies <paramref name="action"/> to every entry; an entry's error is its failure, not the batch's.</summary>
    private static ReceiptBatchResponse EachReceipt(ReceiptBatchRequest request, Action<ReceiptBatchEntry> action)
    {
        var entries = ValidateBatch(request.Entries, e => e.Id);
        var successful = new List<BatchIdEntry>(entries.Count);
        var failed = new List<BatchResultErrorEntry>();
        foreach (var entry in entries)
        {
            try
            {
                action(entry);
                successful.Add(new BatchIdEntry(entry.Id!));
            }
            catch (AwsServiceException error)
            {
                failed.Add(BatchFailure(entry.Id!, error));
            }
        }

        return new ReceiptBatchResponse(successful, failed);
    }

    private static BatchResultErrorEntry BatchFailure(string id, AwsServiceException error) =>
        new(id, error.SenderFault, error.QueryErrorCode ?? error.Type, error.Message);

    private static void ChangeVisibility(SqsQueue queue, string? handle, int? timeout)
    {
        if (timeout is not { } seconds)
            throw SqsErrors.MissingParameter("VisibilityTimeout");
        if (seconds is < 0 or > MaxVisibilityTimeout)
            throw SqsErrors.InvalidParameterValue($"Value {seconds} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.");
        if (!ReceiptHandle.TryParse(handle, out var id, out var generation))
            throw SqsErrors.ReceiptHandleIsInvalid(handle);
        if (!queue.ChangeVisibility(id, generation, seconds))
            throw SqsErrors.MessageNotInflight();
    }

    // ---- Helpers --------------------------------------------------------------------------------

    private SqsQueue Resolve(string? queueUrl)
    {
        if (string.IsNullOrEmpty(queueUrl))
            throw SqsErrors.MissingParameter("QueueUrl");
        // The queue is the URL's last path segment (http://host:port/<account>/<name>); a bare name is accepted too.
        var trimmed = queueUrl.AsSpan().TrimEnd('/');
        var name = trimmed[(trimmed.LastIndexOf('/') + 1)..].ToString();
        if (!queues.TryGet(name, out var queue))
            throw SqsErrors.QueueDoesNotExist();
        return queue;
    }

    private static string QueueUrl(string origin, string name) => $"{origin}/{LocalAwsOptions.AccountId}/{name}";

    private static SqsMessage CreateMessage(SqsQueue queue, OutgoingMessage outgoing, out int delay, out string? systemAttributesMd5)
    {
        var (body, delaySeconds, attributes, systemAttributes) =
            (outgoing.MessageBody, outgoing.DelaySeconds, outgoing.MessageAttributes, outgoing.MessageSystemAttributes);
        var settings = queue.Settings;
        if (string.IsNullOrEmpty(body))
            throw SqsErrors.MissingParameter("MessageBody");
        ValidateBodyCharacters(body);
        delay = delaySeconds ?? settings.DelaySeconds;
        if (delay is < 0 or > 900)
            throw SqsErrors.InvalidParameterValue($"Value {delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.");
        ValidateAttributes(attributes);

        int size = Encoding.UTF8.GetByteCount(body) + AttributesSize(attributes);
        if (size > settings.MaximumMessageSize)
            throw SqsErrors.InvalidParameterValue($"One or more parameters are invalid. Reason: Message must be shorter than {settings.MaximumMessageSize} bytes.");

        string? traceHeader = null;
        systemAttributesMd5 = null;
        if (systemAttributes is { Count: > 0 })
        {
            foreach (var (name, value) in systemAttributes)
            {
                if (name != "AWSTraceHeader" || value.DataType != "String" || string.IsNullOrEmpty(value.StringValue) || !SqsCharacters.AreValid(value.StringValue))
                    throw SqsErrors.InvalidParameterValue($"Message system attribute name '{name}' is invalid.");
                traceHeader = value.StringValue;
            }

            systemAttributesMd5 = MessageDigest.OfAttributes(systemAttributes);
        }

        return SqsMessage.Create(body, attributes, traceHeader);
    }

    private static void ValidateBodyCharacters(string body)
    {
        if (!SqsCharacters.AreValid(body))
            throw SqsErrors.InvalidMessageContents("Invalid characters found. " + SqsCharacters.Allowed);
    }

    private static void ValidateAttributes(Dictionary<string, MessageAttributeValue>? attributes)
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

    private static bool IsType(string dataType, string baseType) =>
        dataType.StartsWith(baseType, StringComparison.Ordinal) && (dataType.Length == baseType.Length || dataType[baseType.Length] == '.');

    private static int AttributesSize(Dictionary<string, MessageAttributeValue>? attributes)
    {
        if (attributes is null)
            return 0;
        int size = 0;
        foreach (var (name, value) in attributes)
        {
            size += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value.DataType ?? string.Empty);
            size += value.BinaryValue?.Length ?? Encoding.UTF8.GetByteCount(value.StringValue ?? string.Empty);
        }

        return size;
    }

    private static List<T> ValidateBatch<T>(List<T>? entries, Func<T, string?> idOf)
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

    private static HashSet<string>? SelectSystemAttributes(List<string>? legacyNames, List<string>? names)
    {
        if (legacyNames is not { Count: > 0 } && names is not { Count: > 0 })
            return null;
        var selected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in (legacyNames ?? []).Concat(names ?? []))
        {
            if (name == "All")
                selected.UnionWith(SystemAttributeNames);
            else
                selected.Add(name);
        }

        return selected;
    }

    private static Dictionary<string, string>? SystemAttributes(Delivery delivery, HashSet<string>? names)
    {
        if (names is null)
            return null;
        var message = delivery.Message;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (names.Contains("SenderId"))
            attributes["SenderId"] = LocalAwsOptions.AccountId;
        if (names.Contains("SentTimestamp"))
            attributes["SentTimestamp"] = Text(message.SentTimestamp);
        if (names.Contains("ApproximateReceiveCount"))
            attributes["ApproximateReceiveCount"] = Text(delivery.ReceiveCount);
        if (names.Contains("ApproximateFirstReceiveTimestamp"))
            attributes["ApproximateFirstReceiveTimestamp"] = Text(delivery.FirstReceiveTimestamp);
        if (names.Contains("AWSTraceHeader") && message.TraceHeader is not null)
            attributes["AWSTraceHeader"] = message.TraceHeader;
        return attributes.Count > 0 ? attributes : null;
    }

    /// <summary>"All" or ".*" selects every attribute, "prefix.*" a family, anything else one name.</summary>
    private static IReadOnlyDictionary<string, MessageAttributeValue>? SelectMessageAttributes(SqsMessage message, List<string>? names)
    {
        if (message.Attributes is null || names is not { Count: > 0 })
            return null;
        if (names.Exists(n => n is "All" or ".*"))
            return message.Attributes;

        Dictionary<string, MessageAttributeValue>? selected = null;
        foreach (var (name, value) in message.Attributes)
        {
            bool wanted = names.Exists(n => n.EndsWith(".*", StringComparison.Ordinal)
                ? name.StartsWith(n[..^1], StringComparison.Ordinal)
                : string.Equals(n, name, StringComparison.Ordinal));
            if (wanted)
                (selected ??= new Dictionary<string, MessageAttributeValue>(StringComparer.Ordinal))[name] = value;
        }

        return selected;
    }

    private static bool IsKnownOptionalAttribute(string name) =>
        name is "Policy" or "RedrivePolicy" or "RedriveAllowPolicy" or "KmsMasterKeyId" or "KmsDataKeyReusePeriodSeconds"
            or "FifoQueue" or "ContentBasedDeduplication" or "DeduplicationScope" or "FifoThroughputLimit";

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,80}$")]
    private static partial Regex QueueNamePattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,80}$")]
    private static partial Regex BatchIdPattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,256}$")]
    private static partial Regex AttributeNamePattern();
}
