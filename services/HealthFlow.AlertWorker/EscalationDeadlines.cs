using HealthFlow.Aws.Messaging;
using HealthFlow.Aws.Topology;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using Microsoft.Extensions.Options;

namespace HealthFlow.AlertWorker;

/// <summary>
/// Puts an alert's escalation deadline into the alert-escalation queue as a delayed message: at most 15 minutes
/// ahead, so a longer deadline travels as a chain of messages, each re-sent by <see cref="AlertEscalationConsumer"/>
/// with the time that remains. Nothing is sent for a severity the policy never escalates.
/// </summary>
/// <remarks>
/// A deadline keeps the alert's correlation and causation but not its trace context: the escalation, up to hours
/// later, starts a trace of its own (which the AlertEscalated projection continues) instead of stretching the
/// check-in's trace across the wait. Logs still join the two by correlation id.
/// </remarks>
public sealed class EscalationDeadlines(IDelayedMessages messages, IOptionsMonitor<EscalationPolicy> policy)
{
    /// <summary>Schedules the deadline of a newly raised (or re-found open) alert; returns it, or null for never.</summary>
    public async Task<DateTimeOffset?> ScheduleAsync(Guid alertId, string severity, DateTimeOffset raisedAt, EventMetadata cause, CancellationToken cancellationToken)
    {
        if (policy.CurrentValue.DeadlineFor(severity, raisedAt) is not { } dueAt)
        {
            return null;
        }

        await WaitUntilAsync(alertId, dueAt, cause, cancellationToken);
        return dueAt;
    }

    /// <summary>Sends (or sends on) the deadline message, delayed by the time left, up to SQS's 15 minutes.</summary>
    public Task WaitUntilAsync(Guid alertId, DateTimeOffset dueAt, EventMetadata cause, CancellationToken cancellationToken) =>
        messages.SendAsync(
            HealthFlowTopology.Queues.AlertEscalation,
            StreamId.ForAlert(alertId),
            new AlertEscalationDue(alertId, dueAt),
            dueAt,
            cause with { Traceparent = null, Tracestate = null },
            cancellationToken);
}
