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
    /// <summary>
    /// Sends (or sends on) the deadline of an alert under the current policy, delayed by the time left up to SQS's
    /// 15 minutes; returns the deadline, or null when the policy never escalates this severity (nothing is sent).
    /// </summary>
    public async Task<DateTimeOffset?> ScheduleAsync(Guid alertId, string severity, DateTimeOffset raisedAt, EventMetadata cause, CancellationToken cancellationToken)
    {
        if (DeadlineFor(severity, raisedAt) is not { } dueAt)
        {
            return null;
        }

        await messages.SendAsync(
            HealthFlowTopology.Queues.AlertEscalation,
            StreamId.ForAlert(alertId),
            new AlertEscalationDue(alertId, severity, raisedAt, dueAt),
            dueAt,
            cause with { Traceparent = null, Tracestate = null },
            cancellationToken);
        return dueAt;
    }

    /// <summary>The deadline under the policy as configured now; null for never.</summary>
    public DateTimeOffset? DeadlineFor(string severity, DateTimeOffset raisedAt) => policy.CurrentValue.DeadlineFor(severity, raisedAt);
}
