using System.Text.Json.Serialization;

namespace HealthFlow.LocalAws.EventBridge;

// The EventBridge JSON 1.1 shapes LocalAws serves, named as on the wire.

internal sealed class CreateEventBusRequest
{
    public string? Name { get; set; }
    public string? Description { get; set; }
    public string? EventSourceName { get; set; }
}

internal sealed class NameRequest
{
    public string? Name { get; set; }
}

internal sealed class ListEventBusesRequest
{
    public string? NamePrefix { get; set; }
    public string? NextToken { get; set; }
    public int? Limit { get; set; }
}

internal sealed class PutRuleRequest
{
    public string? Name { get; set; }
    public string? EventPattern { get; set; }
    public string? ScheduleExpression { get; set; }
    public string? State { get; set; }
    public string? Description { get; set; }
    public string? RoleArn { get; set; }
    public string? EventBusName { get; set; }
}

internal sealed class RuleRequest
{
    public string? Name { get; set; }
    public string? EventBusName { get; set; }
    public bool? Force { get; set; }
}

internal sealed class TargetModel
{
    public string? Id { get; set; }
    public string? Arn { get; set; }
    public string? Input { get; set; }
    public string? InputPath { get; set; }
    public DeadLetterConfigModel? DeadLetterConfig { get; set; }
    public RetryPolicyModel? RetryPolicy { get; set; }
}

internal sealed class DeadLetterConfigModel
{
    public string? Arn { get; set; }
}

internal sealed class RetryPolicyModel
{
    public int? MaximumRetryAttempts { get; set; }
    public int? MaximumEventAgeInSeconds { get; set; }
}

internal sealed class PutTargetsRequest
{
    public string? Rule { get; set; }
    public string? EventBusName { get; set; }
    public List<TargetModel>? Targets { get; set; }
}

internal sealed class RemoveTargetsRequest
{
    public string? Rule { get; set; }
    public string? EventBusName { get; set; }
    public List<string>? Ids { get; set; }
    public bool? Force { get; set; }
}

internal sealed class ListRulesRequest
{
    public string? NamePrefix { get; set; }
    public string? EventBusName { get; set; }
    public string? NextToken { get; set; }
    public int? Limit { get; set; }
}

internal sealed class ListTargetsByRuleRequest
{
    public string? Rule { get; set; }
    public string? EventBusName { get; set; }
    public string? NextToken { get; set; }
    public int? Limit { get; set; }
}

internal sealed class PutEventsEntry
{
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public double? Time { get; set; }
    public string? Source { get; set; }
    public List<string>? Resources { get; set; }
    public string? DetailType { get; set; }
    public string? Detail { get; set; }
    public string? EventBusName { get; set; }
    public string? TraceHeader { get; set; }
}

internal sealed class PutEventsRequest
{
    public List<PutEventsEntry>? Entries { get; set; }
    public string? EndpointId { get; set; }
}

internal sealed class TestEventPatternRequest
{
    public string? EventPattern { get; set; }
    public string? Event { get; set; }
}

internal sealed record CreateEventBusResponse(string EventBusArn, string? Description);

internal sealed record EventBusModel(string Name, string Arn, string? Description, double CreationTime, double LastModifiedTime);

internal sealed record ListEventBusesResponse(List<EventBusModel> EventBuses, string? NextToken);

internal sealed record PutRuleResponse(string RuleArn);

internal sealed record RuleModel(string Name, string Arn, string? EventPattern, string State, string? Description, string EventBusName);

internal sealed record ListRulesResponse(List<RuleModel> Rules, string? NextToken);

internal sealed record TargetFailure(string? TargetId, string ErrorCode, string ErrorMessage);

internal sealed record TargetsResponse(int FailedEntryCount, List<TargetFailure> FailedEntries);

internal sealed record ListTargetsByRuleResponse(List<TargetModel> Targets, string? NextToken);

internal sealed record PutEventsResultEntry(string? EventId, string? ErrorCode, string? ErrorMessage);

internal sealed record PutEventsResponse(int FailedEntryCount, List<PutEventsResultEntry> Entries);

internal sealed record TestEventPatternResponse(bool Result);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateEventBusRequest))]
[JsonSerializable(typeof(NameRequest))]
[JsonSerializable(typeof(ListEventBusesRequest))]
[JsonSerializable(typeof(PutRuleRequest))]
[JsonSerializable(typeof(RuleRequest))]
[JsonSerializable(typeof(PutTargetsRequest))]
[JsonSerializable(typeof(RemoveTargetsRequest))]
[JsonSerializable(typeof(ListRulesRequest))]
[JsonSerializable(typeof(ListTargetsByRuleRequest))]
[JsonSerializable(typeof(PutEventsRequest))]
[JsonSerializable(typeof(TestEventPatternRequest))]
[JsonSerializable(typeof(CreateEventBusResponse))]
[JsonSerializable(typeof(EventBusModel))]
[JsonSerializable(typeof(ListEventBusesResponse))]
[JsonSerializable(typeof(PutRuleResponse))]
[JsonSerializable(typeof(RuleModel))]
[JsonSerializable(typeof(ListRulesResponse))]
[JsonSerializable(typeof(TargetsResponse))]
[JsonSerializable(typeof(ListTargetsByRuleResponse))]
[JsonSerializable(typeof(PutEventsResponse))]
[JsonSerializable(typeof(TestEventPatternResponse))]
internal sealed partial class EventBridgeJsonContext : JsonSerializerContext;
