using System.Globalization;
using System.Text.Json;
using HealthFlow.Domain;
using MassTransit;

namespace HealthFlow.Messaging;

/// <summary>
/// The envelope of a HealthFlow event as MassTransit headers. The dispatcher writes them on every
/// message it hands to MassTransit; a consumer reads them back through <see cref="EventEnvelopeAccessor.Envelope{T}"/>.
/// The MassTransit MessageId is the event id.
/// </summary>
public static class EventHeaders
{
    public const string StreamId = "HealthFlow-StreamId";
    public const string Version = "HealthFlow-Version";
    public const string EventType = "HealthFlow-EventType";
    public const string OccurredAt = "HealthFlow-OccurredAt";
    public const string CorrelationId = "HealthFlow-CorrelationId";
    public const string CausationId = "HealthFlow-CausationId";
    public const string UserId = "HealthFlow-UserId";
    public const string Traceparent = "traceparent";
    public const string Tracestate = "tracestate";

    /// <summary>Writes <paramref name="envelope"/> onto a send context (the dispatcher, and tests that publish to the harness).</summary>
    public static void Write(SendContext context, EventEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(envelope);
        context.MessageId = envelope.EventId;
        context.Headers.Set(StreamId, envelope.StreamId);
        context.Headers.Set(Version, envelope.Version.ToString(CultureInfo.InvariantCulture));
        context.Headers.Set(EventType, envelope.Type);
        context.Headers.Set(OccurredAt, envelope.OccurredAt.ToString("O", CultureInfo.InvariantCulture));
        context.Headers.Set(CorrelationId, envelope.Metadata.CorrelationId);
        SetIfPresent(context, CausationId, envelope.Metadata.CausationId);
        SetIfPresent(context, UserId, envelope.Metadata.UserId);
        SetIfPresent(context, Traceparent, envelope.Metadata.Traceparent);
        SetIfPresent(context, Tracestate, envelope.Metadata.Tracestate);
    }

    private static void SetIfPresent(SendContext context, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
            context.Headers.Set(key, value);
    }
}

/// <summary>The typed accessor consumers use: the stored event as it was appended, stream, version, causation and trace included.</summary>
public static class EventEnvelopeAccessor
{
    /// <summary>
    /// The envelope of the consumed event, rebuilt from the headers and the message. Throws when the
    /// message did not come from the HealthFlow dispatcher (no stream header).
    /// </summary>
    public static EventEnvelope Envelope<T>(this ConsumeContext<T> context) where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Headers;
        var streamId = headers.Get<string>(EventHeaders.StreamId)
            ?? throw new InvalidOperationException($"Message {context.MessageId} has no {EventHeaders.StreamId} header: it is not a HealthFlow event.");
        return new EventEnvelope(
            context.MessageId ?? throw new InvalidOperationException("A HealthFlow event always has a MessageId (its event id)."),
            streamId,
            long.Parse(headers.Get<string>(EventHeaders.Version) ?? "0", NumberStyles.Integer, CultureInfo.InvariantCulture),
            headers.Get<string>(EventHeaders.EventType) ?? typeof(T).Name,
            headers.Get<string>(EventHeaders.OccurredAt) is { } occurredAt
                ? DateTimeOffset.Parse(occurredAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
                : context.SentTime ?? DateTimeOffset.UtcNow,
            JsonSerializer.SerializeToElement(context.Message, DomainJson.Options),
            new EventMetadata(
                headers.Get<string>(EventHeaders.CorrelationId) ?? string.Empty,
                headers.Get<string>(EventHeaders.CausationId),
                headers.Get<string>(EventHeaders.UserId),
                headers.Get<string>(EventHeaders.Traceparent),
                headers.Get<string>(EventHeaders.Tracestate)));
    }
}
