using System.Text.Json;

namespace HealthFlow.Domain;

/// <summary>
/// Who caused an event, and the W3C trace context that lets consumers continue the producer's trace.
/// <c>RequestHash</c> is the SHA-256 of the HTTP body that produced the commit, where a retry must be
/// told apart from a different request under the same Idempotency-Key.
/// </summary>
public sealed record EventMetadata(
    string CorrelationId,
    string? CausationId,
    string? UserId,
    string? Traceparent,
    string? Tracestate,
    string? RequestHash = null);

/// <summary>
/// A stored event as it travels: the EventBridge `detail` and what handlers receive.
/// `Version` is the stream version of the commit that holds the event.
/// </summary>
public sealed record EventEnvelope(
    Guid EventId,
    string StreamId,
    long Version,
    string Type,
    DateTimeOffset OccurredAt,
    JsonElement Data,
    EventMetadata Metadata)
{
    public T DataAs<T>() => Data.Deserialize<T>(DomainJson.Options)
        ?? throw new JsonException($"Event {EventId} of type {Type} has no data.");
}

/// <summary>The JSON shape of events everywhere: camelCase, enums as camelCase strings.</summary>
public static class DomainJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
