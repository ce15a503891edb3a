using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using HealthFlow.Domain;

namespace HealthFlow.EventStore;

/// <summary>
/// Reads an SQS message body. EventBridge targets deliver the standard event (`detail-type`,
/// `source`, `detail`, ...) with our envelope as `detail`; a bare envelope (e.g. sent by an operator
/// tool straight to the queue) is accepted too.
/// </summary>
public static class EventMessage
{
    public static bool TryParse(string body, [NotNullWhen(true)] out EventEnvelope? envelope, [NotNullWhen(false)] out string? error)
    {
        envelope = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "the body is not a JSON object";
                return false;
            }

            var detail = root.TryGetProperty("detail", out var d) ? d : root;
            envelope = detail.Deserialize<EventEnvelope>(DomainJson.Options);
            if (envelope is null || envelope.EventId == Guid.Empty || string.IsNullOrEmpty(envelope.StreamId))
            {
                error = "the event has no eventId or streamId";
                envelope = null;
                return false;
            }

            // EventBridge routed on detail-type; if the envelope somehow lacks its type, trust the routing.
            if (string.IsNullOrEmpty(envelope.Type) && root.TryGetProperty("detail-type", out var detailType) && detailType.GetString() is { Length: > 0 } type)
                envelope = envelope with { Type = type };
            if (envelope.Metadata is null)
                envelope = envelope with { Metadata = new EventMetadata(string.Empty, null, null, null, null) };

            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            error = ex.Message;
            return false;
        }
    }
}
