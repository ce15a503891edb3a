using System.Text.Json;
using System.Text.Json.Serialization;

namespace HealthFlow.EventBridge;

// Request and response shapes of the EventBridge JSON 1.1 protocol. Property names are the wire
// names (PascalCase), so no naming policy is applied; absent optional members are omitted.

public sealed record CreateEventBusRequest(string Name, string? Description = null);

public sealed record CreateEventBusResponse(string EventBusArn, string? Description = null);

public sealed record DescribeEventBusResponse(
    string Name,
    string Arn,
    string? Description = null,
    string? Policy = null,
    [property: JsonConverter(typeof(EpochSecondsConverter))] DateTimeOffset? CreationTime = null,
    [property: JsonConverter(typeof(EpochSecondsConverter))] DateTimeOffset? LastModifiedTime = null);

public static class RuleState
{
    public const string Enabled = "ENABLED";
    public const string Disabled = "DISABLED";
}

public sealed record PutRuleRequest(
    string Name,
    string EventPattern,
    string? EventBusName = null,
    string? State = RuleState.Enabled,
    string? Description = null);

public sealed record PutRuleResponse(string RuleArn);

/// <summary>A rule target. <c>Arn</c> is the destination (HealthFlow uses SQS queue ARNs).</summary>
public sealed record Target(
    string Id,
    string Arn,
    string? Input = null,
    string? InputPath = null,
    DeadLetterConfig? DeadLetterConfig = null,
    RetryPolicy? RetryPolicy = null);

/// <summary>The SQS queue that receives events EventBridge could not deliver to the target.</summary>
public sealed record DeadLetterConfig(string Arn);

public sealed record RetryPolicy(int? MaximumRetryAttempts = null, int? MaximumEventAgeInSeconds = null);

public sealed record PutTargetsRequest(string Rule, IReadOnlyList<Target> Targets, string? EventBusName = null);

public sealed record TargetFailure(string? TargetId, string? ErrorCode, string? ErrorMessage);

public sealed record PutTargetsResponse(int FailedEntryCount, IReadOnlyList<TargetFailure>? FailedEntries = null);

public sealed record RemoveTargetsRequest(string Rule, IReadOnlyList<string> Ids, string? EventBusName = null);

public sealed record RemoveTargetsResponse(int FailedEntryCount, IReadOnlyList<TargetFailure>? FailedEntries = null);

public sealed record DeleteRuleRequest(string Name, string? EventBusName = null);

public sealed record ListRulesRequest(string? EventBusName = null, string? NamePrefix = null, string? NextToken = null, int? Limit = null);

public sealed record Rule(
    string Name,
    string Arn,
    string? EventPattern = null,
    string? State = null,
    string? Description = null,
    string? EventBusName = null);

public sealed record ListRulesResponse(IReadOnlyList<Rule> Rules, string? NextToken = null);

public sealed record ListTargetsByRuleRequest(string Rule, string? EventBusName = null, string? NextToken = null, int? Limit = null);

public sealed record ListTargetsByRuleResponse(IReadOnlyList<Target> Targets, string? NextToken = null);

/// <summary>One event to publish. <c>Detail</c> is a JSON object serialised as a string, as on the wire.</summary>
public sealed record PutEventsRequestEntry(
    string Source,
    string DetailType,
    string Detail,
    string? EventBusName = null,
    IReadOnlyList<string>? Resources = null,
    [property: JsonConverter(typeof(EpochSecondsConverter))] DateTimeOffset? Time = null,
    string? TraceHeader = null);

public sealed record PutEventsRequest(IReadOnlyList<PutEventsRequestEntry> Entries);

/// <summary>Per-entry result, in request order: an <c>EventId</c> on success, an error code otherwise.</summary>
public sealed record PutEventsResultEntry(string? EventId = null, string? ErrorCode = null, string? ErrorMessage = null)
{
    [JsonIgnore]
    public bool Succeeded => ErrorCode is null;
}

public sealed record PutEventsResponse(int FailedEntryCount, IReadOnlyList<PutEventsResultEntry> Entries);

public sealed record TestEventPatternRequest(string EventPattern, string Event);

internal sealed record TestEventPatternResponse(bool Result);

internal sealed record NameRequest(string Name);

/// <summary>AWS JSON protocols carry timestamps as (fractional) epoch seconds.</summary>
public sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset?>
{
    public override bool HandleNull => false;

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Number => DateTimeOffset.UnixEpoch.AddMilliseconds(Math.Round(reader.GetDouble() * 1000)),
            JsonTokenType.String => DateTimeOffset.Parse(reader.GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new JsonException($"Expected epoch seconds, got {reader.TokenType}."),
        };

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is { } time)
            writer.WriteNumberValue(time.ToUnixTimeMilliseconds() / 1000m);
        else
            writer.WriteNullValue();
    }
}
