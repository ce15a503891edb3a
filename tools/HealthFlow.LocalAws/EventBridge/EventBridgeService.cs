using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using HealthFlow.LocalAws.Protocol;
using HealthFlow.LocalAws.Sqs;

namespace HealthFlow.LocalAws.EventBridge;

/// <summary>
/// The EventBridge operations (JSON 1.1). PutEvents wraps each entry in the standard event envelope,
/// matches it against the enabled rules of its bus, and delivers it to their SQS targets.
/// </summary>
internal sealed partial class EventBridgeService(
    EventBusRegistry buses,
    SqsQueueStore queues,
    LocalAwsOptions options,
    Faults.FaultInjector faults,
    ILogger<EventBridgeService> logger)
{
    private const int MaxEntriesPerPutEvents = 10;
    private const int MaxTargetsPerRule = 5;
    private const int MaxPutEventsSize = 256 * 1024;
    private static readonly string[] RequiredEventFields = ["id", "account", "source", "time", "region", "detail-type"];

    public Task HandleAsync(string operation, AwsResponder responder) => operation switch
    {
        "PutEvents" => PutEventsAsync(responder),
        "TestEventPattern" => TestEventPatternAsync(responder),
        "CreateEventBus" => CreateEventBusAsync(responder),
        "DescribeEventBus" => DescribeEventBusAsync(responder),
        "DeleteEventBus" => DeleteEventBusAsync(responder),
        "ListEventBuses" => ListEventBusesAsync(responder),
        "PutRule" => PutRuleAsync(responder),
        "DescribeRule" => DescribeRuleAsync(responder),
        "DeleteRule" => DeleteRuleAsync(responder),
        "EnableRule" => SetRuleStateAsync(responder, enabled: true),
        "DisableRule" => SetRuleStateAsync(responder, enabled: false),
        "ListRules" => ListRulesAsync(responder),
        "PutTargets" => PutTargetsAsync(responder),
        "RemoveTargets" => RemoveTargetsAsync(responder),
        "ListTargetsByRule" => ListTargetsByRuleAsync(responder),
        _ => throw EventBridgeErrors.UnknownOperation(operation),
    };

    // ---- Buses ----------------------------------------------------------------------------------

    private async Task CreateEventBusAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.CreateEventBusRequest);
        var name = ValidName(request.Name, "name", maxLength: 256, BusNamePattern());
        if (name == EventBusRegistry.DefaultBusName)
            throw EventBridgeErrors.Validation("The default event bus already exists and cannot be created.");
        if (request.EventSourceName is not null)
            throw EventBridgeErrors.Validation("Partner event sources are not supported by LocalAws.");
        var bus = buses.Create(name, request.Description);
        await responder.WriteAsync(new CreateEventBusResponse(bus.Arn, bus.Description), EventBridgeJsonContext.Default.CreateEventBusResponse);
    }

    private async Task DescribeEventBusAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.NameRequest);
        var bus = Bus(request.Name);
        await responder.WriteAsync(Model(bus), EventBridgeJsonContext.Default.EventBusModel);
    }

    private async Task DeleteEventBusAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.NameRequest);
        var name = EventBusRegistry.BusNameOf(request.Name);
        if (name == EventBusRegistry.DefaultBusName)
            throw EventBridgeErrors.Validation("Cannot delete event bus default.");
        buses.Delete(name);
        await responder.WriteEmptyAsync();
    }

    private async Task ListEventBusesAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.ListEventBusesRequest);
        var matching = buses.Buses.Values.Where(b => request.NamePrefix is null || b.Name.StartsWith(request.NamePrefix, StringComparison.Ordinal));
        var (page, next) = Page(matching, request.NextToken, request.Limit);
        await responder.WriteAsync(new ListEventBusesResponse([.. page.Select(Model)], next), EventBridgeJsonContext.Default.ListEventBusesResponse);
    }

    private static EventBusModel Model(EventBus bus)
    {
        double created = bus.CreationTime.ToUnixTimeMilliseconds() / 1000.0;
        return new EventBusModel(bus.Name, bus.Arn, bus.Description, created, created);
    }

    // ---- Rules and targets ----------------------------------------------------------------------

    private async Task PutRuleAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.PutRuleRequest);
        var name = ValidName(request.Name, "name", maxLength: 64, RuleNamePattern());
        if (request.ScheduleExpression is not null)
            throw EventBridgeErrors.Validation("ScheduleExpression is not supported by LocalAws; use an EventPattern.");
        if (string.IsNullOrEmpty(request.EventPattern))
            throw EventBridgeErrors.Validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
        bool enabled = request.State switch
        {
            null or "ENABLED" or "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" => true,
            "DISABLED" => false,
            _ => throw EventBridgeErrors.Validation($"1 validation error detected: Value '{request.State}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]"),
        };
        var pattern = CompilePattern(request.EventPattern);
        var bus = Bus(request.EventBusName);
        var arn = buses.RuleArn(bus.Name, name);

        buses.UpdateRules(bus, rules =>
        {
            var targets = rules.TryGetValue(name, out var existing) ? existing.Targets : ImmutableSortedDictionary.Create<string, RuleTarget>(StringComparer.Ordinal);
            var rule = new EventRule(name, arn, bus.Name, request.EventPattern, pattern, enabled, request.Description, targets);
            return (rules.SetItem(name, rule), true);
        });
        await responder.WriteAsync(new PutRuleResponse(arn), EventBridgeJsonContext.Default.PutRuleResponse);
    }

    private async Task DescribeRuleAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.RuleRequest);
        var bus = Bus(request.EventBusName);
        var rule = Rule(bus, request.Name);
        await responder.WriteAsync(Model(rule), EventBridgeJsonContext.Default.RuleModel);
    }

    private async Task DeleteRuleAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.RuleRequest);
        var bus = Bus(request.EventBusName);
        var name = request.Name ?? throw EventBridgeErrors.Validation("Parameter Name is required.");
        buses.UpdateRules(bus, rules =>
        {
            if (rules.TryGetValue(name, out var rule) && !rule.Targets.IsEmpty && request.Force != true)
                throw EventBridgeErrors.Validation("Rule can't be deleted since it has targets.");
            return (rules.Remove(name), true);
        });
        await responder.WriteEmptyAsync();
    }

    private async Task SetRuleStateAsync(AwsResponder responder, bool enabled)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.RuleRequest);
        var bus = Bus(request.EventBusName);
        buses.UpdateRules(bus, rules =>
        {
            var rule = Rule(rules, bus, request.Name);
            return (rules.SetItem(rule.Name, rule with { Enabled = enabled }), true);
        });
        await responder.WriteEmptyAsync();
    }

    private async Task ListRulesAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.ListRulesRequest);
        var bus = Bus(request.EventBusName);
        var matching = bus.Rules.Values.Where(r => request.NamePrefix is null || r.Name.StartsWith(request.NamePrefix, StringComparison.Ordinal));
        var (page, next) = Page(matching, request.NextToken, request.Limit);
        await responder.WriteAsync(new ListRulesResponse([.. page.Select(Model)], next), EventBridgeJsonContext.Default.ListRulesResponse);
    }

    private static RuleModel Model(EventRule rule) =>
        new(rule.Name, rule.Arn, rule.EventPatternText, rule.Enabled ? "ENABLED" : "DISABLED", rule.Description, rule.EventBusName);

    private async Task PutTargetsAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.PutTargetsRequest);
        var bus = Bus(request.EventBusName);
        var targets = request.Targets;
        if (targets is not { Count: > 0 and <= 10 })
            throw EventBridgeErrors.Validation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10");

        var failures = new List<TargetFailure>();
        buses.UpdateRules(bus, rules =>
        {
            var rule = Rule(rules, bus, request.Rule);
            var updated = rule.Targets;
            foreach (var target in targets)
            {
                if (target.Id is null || target.Id.Length > 64 || !RuleNamePattern().IsMatch(target.Id))
                    throw EventBridgeErrors.Validation($"1 validation error detected: Value '{target.Id}' at 'targets.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+");
                if (string.IsNullOrEmpty(target.Arn))
                    throw EventBridgeErrors.Validation("1 validation error detected: Value null at 'targets.arn' failed to satisfy constraint: Member must not be null");
                if (!target.Arn.StartsWith("arn:aws:sqs:", StringComparison.Ordinal))
                {
                    failures.Add(new TargetFailure(target.Id, "ValidationException", "LocalAws delivers to SQS queue targets only."));
                    continue;
                }

                updated = updated.SetItem(target.Id, new RuleTarget(target.Id, target.Arn, target.Input, target.InputPath, target.DeadLetterConfig?.Arn, target.RetryPolicy));
            }

            if (updated.Count > MaxTargetsPerRule)
                throw EventBridgeErrors.LimitExceeded("The requested resource exceeds the maximum number allowed.");
            return (rules.SetItem(rule.Name, rule with { Targets = updated }), true);
        });
        await responder.WriteAsync(new TargetsResponse(failures.Count, failures), EventBridgeJsonContext.Default.TargetsResponse);
    }

    private async Task RemoveTargetsAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.RemoveTargetsRequest);
        var bus = Bus(request.EventBusName);
        if (request.Ids is not { Count: > 0 })
            throw EventBridgeErrors.Validation("1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must have length greater than or equal to 1");
        buses.UpdateRules(bus, rules =>
        {
            var rule = Rule(rules, bus, request.Rule);
            return (rules.SetItem(rule.Name, rule with { Targets = rule.Targets.RemoveRange(request.Ids) }), true);
        });
        await responder.WriteAsync(new TargetsResponse(0, []), EventBridgeJsonContext.Default.TargetsResponse);
    }

    private async Task ListTargetsByRuleAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.ListTargetsByRuleRequest);
        var bus = Bus(request.EventBusName);
        var rule = Rule(bus, request.Rule);
        var (page, next) = Page(rule.Targets.Values, request.NextToken, request.Limit);
        var models = page.Select(t => new TargetModel
        {
            Id = t.Id,
            Arn = t.Arn,
            Input = t.Input,
            InputPath = t.InputPath,
            DeadLetterConfig = t.DeadLetterArn is { } dlq ? new DeadLetterConfigModel { Arn = dlq } : null,
            RetryPolicy = t.RetryPolicy,
        }).ToList();
        await responder.WriteAsync(new ListTargetsByRuleResponse(models, next), EventBridgeJsonContext.Default.ListTargetsByRuleResponse);
    }

    // ---- Events ---------------------------------------------------------------------------------

    private async Task TestEventPatternAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.TestEventPatternRequest);
        if (string.IsNullOrEmpty(request.EventPattern))
            throw EventBridgeErrors.Validation("Parameter EventPattern is required.");
        var pattern = CompilePattern(request.EventPattern);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(request.Event ?? string.Empty);
        }
        catch (JsonException)
        {
            throw EventBridgeErrors.Validation("Parameter Event is not valid.");
        }

        bool result;
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || RequiredEventFields.Any(f => !root.TryGetProperty(f, out _)))
                throw EventBridgeErrors.Validation("Parameter Event is not valid.");
            result = pattern.Matches(FlatEvent.From(root));
        }

        await responder.WriteAsync(new TestEventPatternResponse(result), EventBridgeJsonContext.Default.TestEventPatternResponse);
    }

    private async Task PutEventsAsync(AwsResponder responder)
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

    // ---- Helpers --------------------------------------------------------------------------------

    private static EventPattern CompilePattern(string json)
    {
        try
        {
            return EventPattern.Parse(json);
        }
        catch (InvalidEventPatternException error)
        {
            throw EventBridgeErrors.InvalidEventPattern(error.Message);
        }
    }

    private EventBus Bus(string? nameOrArn) =>
        buses.TryGet(nameOrArn, out var bus)
            ? bus
            : throw EventBridgeErrors.ResourceNotFound($"Event bus {EventBusRegistry.BusNameOf(nameOrArn)} does not exist.");

    private static EventRule Rule(EventBus bus, string? name) => Rule(bus.Rules, bus, name);

    private static EventRule Rule(ImmutableSortedDictionary<string, EventRule> rules, EventBus bus, string? name) =>
        name is not null && rules.TryGetValue(name, out var rule)
            ? rule
            : throw EventBridgeErrors.ResourceNotFound($"Rule {name} does not exist on EventBus {bus.Name}.");

    private static string ValidName(string? name, string field, int maxLength, Regex pattern)
    {
        if (string.IsNullOrEmpty(name) || name.Length > maxLength || !pattern.IsMatch(name))
            throw EventBridgeErrors.Validation($"1 validation error detected: Value '{name}' at '{field}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}");
        return name;
    }

    private static (List<T> Page, string? NextToken) Page<T>(IEnumerable<T> items, string? token, int? limit)
    {
        int start = 0;
        if (token is { Length: > 0 } && !int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out start))
            throw EventBridgeErrors.Validation("The NextToken is not valid.");
        int size = limit ?? 100;
        if (size is < 1 or > 100)
            throw EventBridgeErrors.Validation("1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value between 1 and 100");
        var all = items.ToList();
        var page = all.Skip(start).Take(size).ToList();
        return (page, start + page.Count < all.Count ? (start + page.Count).ToString(CultureInfo.InvariantCulture) : null);
    }

    [GeneratedRegex("^[\\.\\-_A-Za-z0-9]+$")]
    private static partial Regex RuleNamePattern();

    [GeneratedRegex("^[/\\.\\-_A-Za-z0-9]+$")]
    private static partial Regex BusNamePattern();

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
