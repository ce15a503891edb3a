using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using HealthFlow.LocalAws.Protocol;
using HealthFlow.LocalAws.Sqs;

namespace HealthFlow.LocalAws.EventBridge;

/// <summary>
/// PutEvents: each entry is wrapped in the standard event envelope, matched against the enabled rules of its
/// bus, and delivered to their SQS targets (or a target's dead-letter queue when its queue does not exist).
/// </summary>
internal sealed partial class EventDelivery(
    EventBusRegistry buses,
    SqsQueueStore queues,
    LocalAwsOptions options,
    Faults.FaultInjector faults,
    ILogger<EventDelivery> logger)
{
    private const int MaxEntriesPerPutEvents = 10;
    private const int MaxPutEventsSize = 256 * 1024;

    public async Task PutEventsAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.PutEventsRequest);
        var entries = request.Entries;
        if (entries is not { Count: > 0 and <= MaxEntriesPerPutEvents })
            throw EventBridgeErrors.Validation("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10");
        int size = entries.Sum(e => Encoding.UTF8.GetByteCount(e.Detail ?? string.Empty) + (e.Source?.Length ?? 0) + (e.DetailType?.Length ?? 0));
        if (size > MaxPutEventsSize)
            throw EventBridgeErrors.Validation("Total size of the entries in the request is over the limit.");
        await faults.BeforePutEventsAsync();

        var results = new List<PutEventsResultEntry>(entries.Count);
        int failed = 0;
        foreach (var entry in entries)
        {
            var result = Publish(entry);
            if (result.ErrorCode is not null)
                failed++;
            results.Add(result);
        }

        await responder.WriteAsync(new PutEventsResponse(failed, results), EventBridgeJsonContext.Default.PutEventsResponse);
    }

    private PutEventsResultEntry Publish(PutEventsEntry entry)
    {
        if (string.IsNullOrEmpty(entry.Source))
            return Failure("InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument.");
        if (string.IsNullOrEmpty(entry.DetailType))
            return Failure("InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument.");
        if (string.IsNullOrEmpty(entry.Detail))
            return Failure("InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument.");
        if (!buses.TryGet(entry.EventBusName, out var bus))
            return Failure("ResourceNotFoundException", $"Event bus {EventBusRegistry.BusNameOf(entry.EventBusName)} does not exist.");

        var eventId = Guid.NewGuid().ToString();
        byte[] envelope;
        try
        {
            envelope = Envelope(eventId, entry);
        }
        catch (JsonException)
        {
            return Failure("MalformedDetail", "Detail is malformed.");
        }

        var rules = bus.Rules;
        if (rules.IsEmpty)
            return new PutEventsResultEntry(eventId, null, null);

        using var document = JsonDocument.Parse(envelope);
        var flat = FlatEvent.From(document.RootElement);
        string? body = null;
        foreach (var rule in rules.Values)
        {
            if (!rule.Enabled || rule.Targets.IsEmpty || !rule.Pattern.Matches(flat))
                continue;
            foreach (var target in rule.Targets.Values)
            {
                var payload = target.Input ?? (target.InputPath is { } path ? Select(document.RootElement, path) : body ??= Encoding.UTF8.GetString(envelope));
                if (!queues.TryGetByArn(target.Arn, out var queue))
                {
                    // As on AWS, a target that does not exist is not retried: the event goes to the target's DLQ, if any.
                    if (target.DeadLetterArn is { } deadLetterArn && queues.TryGetByArn(deadLetterArn, out var deadLetters))
                    {
                        deadLetters.Enqueue(SqsMessage.Create(payload, DeliveryFailure(rule, target), entry.TraceHeader), delaySeconds: 0);
                        LogDeadLettered(rule.Name, target.Arn, deadLetterArn);
                    }
                    else
                    {
                        LogMissingTarget(rule.Name, target.Arn);
                    }

                    continue;
                }

                queue.Enqueue(SqsMessage.Create(payload, null, entry.TraceHeader), delaySeconds: 0);
            }
        }

        return new PutEventsResultEntry(eventId, null, null);
    }

    /// <summary>The event as EventBridge delivers it to targets.</summary>
    private byte[] Envelope(string eventId, PutEventsEntry entry)
    {
        using var detail = JsonDocument.Parse(entry.Detail!);
        if (detail.RootElement.ValueKind != JsonValueKind.Object)
            throw new JsonException("Detail must be a JSON object.");

        var time = entry.Time is { } seconds
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000))
            : DateTimeOffset.UtcNow;
        var buffer = new ArrayBufferWriter<byte>(256 + entry.Detail!.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("version", "0");
            writer.WriteString("id", eventId);
            writer.WriteString("detail-type", entry.DetailType);
            writer.WriteString("source", entry.Source);
            writer.WriteString("account", LocalAwsOptions.AccountId);
            writer.WriteString("time", time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            writer.WriteString("region", options.Region);
            writer.WriteStartArray("resources");
            foreach (var resource in entry.Resources ?? [])
                writer.WriteStringValue(resource);
            writer.WriteEndArray();
            writer.WritePropertyName("detail");
            detail.RootElement.WriteTo(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>InputPath in its common form: "$" or a dotted path such as "$.detail.data".</summary>
    private static string Select(JsonElement root, string path)
    {
        var current = root;
        foreach (var segment in path.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
                return "null";
        }

        return current.GetRawText();
    }

    private static PutEventsResultEntry Failure(string code, string message) => new(null, code, message);

    /// <summary>The message attributes EventBridge puts on a dead-lettered event.</summary>
    private static Dictionary<string, MessageAttributeValue> DeliveryFailure(EventRule rule, RuleTarget target) => new(StringComparer.Ordinal)
    {
        ["RULE_ARN"] = new() { DataType = "String", StringValue = rule.Arn },
        ["TARGET_ARN"] = new() { DataType = "String", StringValue = target.Arn },
        ["ERROR_CODE"] = new() { DataType = "String", StringValue = "ResourceNotFound" },
        ["ERROR_MESSAGE"] = new() { DataType = "String", StringValue = "The target queue does not exist." },
        ["EXHAUSTED_RETRY_CONDITION"] = new() { DataType = "String", StringValue = "MaximumRetryAttempts" },
        ["RETRY_ATTEMPTS"] = new() { DataType = "Number", StringValue = "0" },
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule {Rule} could not deliver to {TargetArn}, which does not exist; the event went to the target's DLQ {DeadLetterArn}")]
    private partial void LogDeadLettered(string rule, string targetArn, string deadLetterArn);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule {Rule} matched, but its target {TargetArn} does not exist; the event was not delivered there")]
    private partial void LogMissingTarget(string rule, string targetArn);
}
