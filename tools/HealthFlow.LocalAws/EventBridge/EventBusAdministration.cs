using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;
using HealthFlow.LocalAws.Protocol;

namespace HealthFlow.LocalAws.EventBridge;

/// <summary>
/// EventBridge's administration: event buses, their rules and the rules' targets, and TestEventPattern, which
/// checks a pattern as PutRule does. What happens to an event is <see cref="EventDelivery"/>'s.
/// </summary>
internal sealed partial class EventBusAdministration(EventBusRegistry buses)
{
    private const int MaxTargetsPerRule = 5;
    private static readonly string[] RequiredEventFields = ["id", "account", "source", "time", "region", "detail-type"];

    // EventBridge checks NextToken before Limit.
    private static readonly Paging Pages = new(
        MaxPageSize: 100,
        InvalidPageSize: () => EventBridgeErrors.Validation("1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value between 1 and 100"),
        InvalidNextToken: () => EventBridgeErrors.Validation("The NextToken is not valid."),
        PageSizeCheckedFirst: false);

    // ---- Buses ----------------------------------------------------------------------------------

    public async Task CreateEventBusAsync(AwsResponder responder)
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

    public async Task DescribeEventBusAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.NameRequest);
        var bus = Bus(request.Name);
        await responder.WriteAsync(Model(bus), EventBridgeJsonContext.Default.EventBusModel);
    }

    public async Task DeleteEventBusAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.NameRequest);
        var name = EventBusRegistry.BusNameOf(request.Name);
        if (name == EventBusRegistry.DefaultBusName)
            throw EventBridgeErrors.Validation("Cannot delete event bus default.");
        buses.Delete(name);
        await responder.WriteEmptyAsync();
    }

    public async Task ListEventBusesAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.ListEventBusesRequest);
        var matching = buses.Buses.Values.Where(b => request.NamePrefix is null || b.Name.StartsWith(request.NamePrefix, StringComparison.Ordinal));
        var (page, next) = Pages.Take(matching, request.NextToken, request.Limit);
        await responder.WriteAsync(new ListEventBusesResponse([.. page.Select(Model)], next), EventBridgeJsonContext.Default.ListEventBusesResponse);
    }

    private static EventBusModel Model(EventBus bus)
    {
        double created = bus.CreationTime.ToUnixTimeMilliseconds() / 1000.0;
        return new EventBusModel(bus.Name, bus.Arn, bus.Description, created, created);
    }

    // ---- Rules and targets ----------------------------------------------------------------------

    public async Task PutRuleAsync(AwsResponder responder)
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

    public async Task DescribeRuleAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.RuleRequest);
        var bus = Bus(request.EventBusName);
        var rule = Rule(bus, request.Name);
        await responder.WriteAsync(Model(rule), EventBridgeJsonContext.Default.RuleModel);
    }

    public async Task DeleteRuleAsync(AwsResponder responder)
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

    public async Task SetRuleStateAsync(AwsResponder responder, bool enabled)
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

    public async Task ListRulesAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.ListRulesRequest);
        var bus = Bus(request.EventBusName);
        var matching = bus.Rules.Values.Where(r => request.NamePrefix is null || r.Name.StartsWith(request.NamePrefix, StringComparison.Ordinal));
        var (page, next) = Pages.Take(matching, request.NextToken, request.Limit);
        await responder.WriteAsync(new ListRulesResponse([.. page.Select(Model)], next), EventBridgeJsonContext.Default.ListRulesResponse);
    }

    private static RuleModel Model(EventRule rule) =>
        new(rule.Name, rule.Arn, rule.EventPatternText, rule.Enabled ? "ENABLED" : "DISABLED", rule.Description, rule.EventBusName);

    public async Task PutTargetsAsync(AwsResponder responder)
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

    public async Task RemoveTargetsAsync(AwsResponder responder)
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

    public async Task ListTargetsByRuleAsync(AwsResponder responder)
    {
        var request = await responder.ReadAsync(EventBridgeJsonContext.Default.ListTargetsByRuleRequest);
        var bus = Bus(request.EventBusName);
        var rule = Rule(bus, request.Rule);
        var (page, next) = Pages.Take(rule.Targets.Values, request.NextToken, request.Limit);
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

    // ---- Patterns -------------------------------------------------------------------------------

    public async Task TestEventPatternAsync(AwsResponder responder)
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

    [GeneratedRegex("^[\\.\\-_A-Za-z0-9]+$")]
    private static partial Regex RuleNamePattern();

    [GeneratedRegex("^[/\\.\\-_A-Za-z0-9]+$")]
    private static partial Regex BusNamePattern();
}
