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

/// <summary>What every envelope says about its event, whether the event is still JSON or decoded.</summary>
public interface IEventEnvelope
{
    Guid EventId { get; }

    string StreamId { get; }

    /// <summary>The stream version of the commit that holds the event.</summary>
    long Version { get; }

    string Type { get; }

    DateTimeOffset OccurredAt { get; }

    EventMetadata Metadata { get; }
}

/// <summary>
/// A stored event as it travels: the EventBridge `detail`, and what a stream read returns, with the event still
/// JSON because one stream or one queue carries several types. <see cref="As{TEvent}"/> decodes it, once, for a
/// handler of that type.
/// </summary>
public sealed record EventEnvelope(
    Guid EventId,
    string StreamId,
    long Version,
    string Type,
    DateTimeOffset OccurredAt,
    JsonElement Data,
    EventMetadata Metadata) : IEventEnvelope
{
    public T DataAs<T>() => Data.Deserialize<T>(DomainJson.Options)
        ?? throw new JsonException($"Event {EventId} of type {Type} has no data.");

    public EventEnvelope<TEvent> As<TEvent>() where TEvent : class =>
        new(EventId, StreamId, Version, Type, OccurredAt, DataAs<TEvent>(), Metadata);
}

/// <summary>
/// A stored event decoded for its handler: what a MassTransit consumer receives (<c>IConsumer&lt;EventEnvelope&lt;T&gt;&gt;</c>)
/// and what a projection applies. The envelope travels as the message itself, not as headers beside it.
/// </summary>
public sealed record EventEnvelope<TEvent>(
    Guid EventId,
    string StreamId,
    long Version,
    string Type,
    DateTimeOffset OccurredAt,
    TEvent Event,
    EventMetadata Metadata) : IEventEnvelope
    where TEvent : class;

/// <summary>The JSON shape of events everywhere: camelCase, enums as camelCase strings.</summary>
public static class DomainJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
