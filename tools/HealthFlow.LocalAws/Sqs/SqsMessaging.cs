using System.Globalization;
using HealthFlow.LocalAws.Protocol;

namespace HealthFlow.LocalAws.Sqs;

/// <summary>
/// SQS's data plane: sending, receiving, deleting messages and changing their visibility, one at a time
/// or in batches. The queues themselves are <see cref="SqsQueueAdministration"/>'s.
/// </summary>
internal sealed class SqsMessaging(SqsQueueStore queues, Faults.FaultInjector faults)
{
    private static readonly string[] SystemAttributeNames =
        ["SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp", "AWSTraceHeader"];

    public SendMessageResponse SendMessage(SendMessageRequest request)
    {
        var queue = queues.Resolve(request.QueueUrl);
        var message = CreateMessage(queue, request, out var delay, out var systemMd5);
        queue.Enqueue(message, delay);
        return new SendMessageResponse(message.MessageId, message.BodyMd5, message.AttributesMd5, systemMd5);
    }

    public SendMessageBatchResponse SendMessageBatch(SendMessageBatchRequest request)
    {
        var queue = queues.Resolve(request.QueueUrl);
        var entries = SqsValidation.Batch(request.Entries, e => e.Id);

        int totalSize = entries.Sum(e => SqsValidation.Size(e.MessageBody, e.MessageAttributes));
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
        var queue = queues.Resolve(request.QueueUrl);
        var (max, visibility, wait) = SqsValidation.Receive(request, queue.Settings);

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
        var queue = queues.Resolve(request.QueueUrl);
        Delete(queue, request.ReceiptHandle);
    }

    public ReceiptBatchResponse DeleteMessageBatch(ReceiptBatchRequest request)
    {
        var queue = queues.Resolve(request.QueueUrl);
        return EachReceipt(request, entry => Delete(queue, entry.ReceiptHandle));
    }

    public void ChangeMessageVisibility(ChangeMessageVisibilityRequest request) =>
        ChangeVisibility(queues.Resolve(request.QueueUrl), request.ReceiptHandle, request.VisibilityTimeout);

    public ReceiptBatchResponse ChangeMessageVisibilityBatch(ReceiptBatchRequest request)
    {
        var queue = queues.Resolve(request.QueueUrl);
        return EachReceipt(request, entry => ChangeVisibility(queue, entry.ReceiptHandle, entry.VisibilityTimeout));
    }

    private static void Delete(SqsQueue queue, string? handle)
    {
        var (id, generation) = SqsValidation.Receipt(handle);
        // A stale handle (the message was received again since) succeeds without deleting, as on AWS.
        queue.Delete(id, generation);
    }

    private static void ChangeVisibility(SqsQueue queue, string? handle, int? timeout)
    {
        int seconds = SqsValidation.VisibilityTimeout(timeout);
        var (id, generation) = SqsValidation.Receipt(handle);
        if (!queue.ChangeVisibility(id, generation, seconds))
            throw SqsErrors.MessageNotInflight();
    }

    /// <summary>Applies <paramref name="action"/> to every entry; an entry's error is its failure, not the batch's.</summary>
    private static ReceiptBatchResponse EachReceipt(ReceiptBatchRequest request, Action<ReceiptBatchEntry> action)
    {
        var entries = SqsValidation.Batch(request.Entries, e => e.Id);
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

    private static SqsMessage CreateMessage(SqsQueue queue, OutgoingMessage outgoing, out int delay, out string? systemAttributesMd5)
    {
        var settings = queue.Settings;
        var body = SqsValidation.Body(outgoing.MessageBody);
        delay = SqsValidation.Delay(outgoing.DelaySeconds, settings);
        var attributes = outgoing.MessageAttributes;
        SqsValidation.Attributes(attributes);
        if (SqsValidation.Size(body, attributes) > settings.MaximumMessageSize)
            throw SqsErrors.InvalidParameterValue($"One or more parameters are invalid. Reason: Message must be shorter than {settings.MaximumMessageSize} bytes.");

        var systemAttributes = outgoing.MessageSystemAttributes;
        var traceHeader = SqsValidation.TraceHeader(systemAttributes);
        systemAttributesMd5 = systemAttributes is { Count: > 0 } ? MessageDigest.OfAttributes(systemAttributes) : null;
        return SqsMessage.Create(body, attributes, traceHeader);
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
            attributes["SentTimestamp"] = message.SentTimestamp.ToString(CultureInfo.InvariantCulture);
        if (names.Contains("ApproximateReceiveCount"))
            attributes["ApproximateReceiveCount"] = delivery.ReceiveCount.ToString(CultureInfo.InvariantCulture);
        if (names.Contains("ApproximateFirstReceiveTimestamp"))
            attributes["ApproximateFirstReceiveTimestamp"] = delivery.FirstReceiveTimestamp.ToString(CultureInfo.InvariantCulture);
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
}
