using System.Diagnostics;
using HealthFlow.Domain;

namespace HealthFlow.EventStore;

/// <summary>
/// Builds the metadata stored with an append. The W3C trace context of the current Activity
/// (the HTTP request span, or MassTransit's consume span inside a consumer) rides along, so the consumer
/// of the event continues the same trace.
/// </summary>
public static class EventMetadataFactory
{
    public static EventMetadata FromCurrentActivity(string correlationId, string? causationId = null, string? userId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(correlationId);
        var activity = Activity.Current;
        // Hierarchical (non-W3C) ids cannot be parsed back into an ActivityContext by consumers.
        var traced = activity is { IdFormat: ActivityIdFormat.W3C };
        return new EventMetadata(
            correlationId,
            causationId,
            userId,
            traced ? activity!.Id : null,
            traced ? activity!.TraceStateString : null);
    }

    /// <summary>
    /// Metadata for an event a consumer appends in reaction to <paramref name="cause"/>: same
    /// correlation, caused by that event, traced under the current (consumer) span.
    /// </summary>
    public static EventMetadata CausedBy(IEventEnvelope cause, string? userId = null) =>
        FromCurrentActivity(cause.Metadata.CorrelationId, cause.EventId.ToString(), userId ?? cause.Metadata.UserId);
}
