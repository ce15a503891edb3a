using HealthFlow.Domain;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace HealthFlow.Messaging;

/// <summary>
/// A MassTransit consume filter: every log line a consumer writes carries the event's id, type and correlation id.
/// </summary>
internal sealed class EventLogScopeFilter<T>(ILogger<EventLogScopeFilter<T>> logger) : IFilter<ConsumeContext<T>>
    where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        var envelope = context.Message as IEventEnvelope;
        using var scope = logger.BeginScope(new Dictionary<string, object?>
        {
            ["EventId"] = context.MessageId,
            ["EventType"] = envelope?.Type,
            ["CorrelationId"] = envelope?.Metadata.CorrelationId,
        });
        await next.Send(context).ConfigureAwait(false);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("healthflowEventLogScope");
}
