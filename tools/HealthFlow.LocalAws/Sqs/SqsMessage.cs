
namespace HealthFlow.LocalAws.Sqs;

internal enum MessageState
{
    Delayed,
    Visible,
    InFlight,
    Gone,
}

/// <summary>
/// One stored message. The immutable part is set on send; the delivery state is guarded by the
/// owning queue's lock.
/// </summary>
internal sealed class SqsMessage
{
    public required Guid Id { get; init; }
    public required string MessageId { get; init; }
    public required string Body { get; init; }
    public required string BodyMd5 { get; init; }
    public IReadOnlyDictionary<string, MessageAttributeValue>? Attributes { get; init; }
    public string? AttributesMd5 { get; init; }
    public string? TraceHeader { get; init; }
    public required long SentTimestamp { get; init; }

    // Delivery state (queue lock).
    public MessageState State;
    public int ReceiveCount;
    public long FirstReceiveTimestamp;

    /// <summary>Bumped on every receive: a receipt handle is valid only for the receive that issued it.</summary>
    public int Generation;

    /// <summary>Bumped whenever the message is (re)scheduled, so older timer entries are recognised as stale.</summary>
    public int ScheduleVersion;

    public static SqsMessage Create(string body, IReadOnlyDictionary<string, MessageAttributeValue>? attributes, string? traceHeader)
    {
        var id = Guid.NewGuid();
        return new SqsMessage
        {
            Id = id,
            MessageId = id.ToString(),
            Body = body,
            BodyMd5 = MessageDigest.OfBody(body),
            Attributes = attributes is { Count: > 0 } ? attributes : null,
            AttributesMd5 = MessageDigest.OfAttributes(attributes),
            TraceHeader = traceHeader,
            SentTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
    }
}

/// <summary>What one receive handed out, captured under the queue lock.</summary>
internal readonly record struct Delivery(SqsMessage Message, string ReceiptHandle, int ReceiveCount, long FirstReceiveTimestamp);
