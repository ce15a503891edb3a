using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;
using MassTransit;

namespace HealthFlow.AlertWorker.CheckIns;

/// <summary>
/// A monitoring plan was set: if it has a check-in schedule, its first window's deadline is sent, which starts the
/// plan's chain of deadlines. The previous plan's chain ends at its next leg. Redelivered, it sends a second first leg,
/// which its chain drops; a plan superseded before its first deadline ends its chain there.
/// </summary>
public sealed class MonitoringPlanConsumer(CheckInDeadlines deadlines, ILogger<MonitoringPlanConsumer> logger) : IConsumer<EventEnvelope<MonitoringPlanSet>>
{
    public async Task Consume(ConsumeContext<EventEnvelope<MonitoringPlanSet>> context)
    {
        var plan = context.Message.Event;
        if (await deadlines.StartAsync(plan, EventMetadataFactory.CausedBy(context.Message), context.CancellationToken) is { } first)
        {
            logger.LogInformation("Plan {Version} of patient {PatientId}: first check-in due {DueAt:O}, deadline {Deadline:O}.",
                plan.Version, plan.PatientId, first.DueAt, first.Deadline);
        }
    }
}
