using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Messaging;
using HealthFlow.Topology;
using Microsoft.Extensions.Options;

namespace HealthFlow.AlertWorker;

/// <summary>
/// Puts an alert's escalation deadline into the alert-escalation queue as a delayed message: at most 15 minutes
/// ahead, so a longer deadline travels as a chain of messages, each sent on by <see cref="AlertEscalationConsumer"/>
/// with the time that remains. Nothing is sent for a severity the policy never escalates.
/// </summary>
/// <remarks>
/// A deadline keeps the alert's correlation and causation but not its trace context: the escalation, up to hours
/// later, starts a trace of its own (which the AlertEscalated projection continues) instead of stretching the
/// check-in's trace across the wait. Logs still join the two by correlation id.
/// </remarks>
public sealed class EscalationDeadlines(IDelayedMessages messages, IDelayedMessageChains chains, IOptionsMonitor<EscalationPolicy> policy)
{
    /// <summary>
    /// Sends the first leg of an alert's deadline under the current policy, delayed by the time left up to SQS's
    /// 15 minutes; returns the deadline, or null when the policy never escalates this severity (nothing is sent).
    /// A second first leg (a redelivered check-in sends one again) is harmless: the first leg to arrive carries the
    /// chain, and the other is dropped when it arrives before the deadline, or decides on the stream at it.
    /// </summary>
    public async Task<DateTimeOffset?> ScheduleAsync(Guid alertId, string severity, DateTimeOffset raisedAt, EventMetadata cause, CancellationToken cancellationToken) =>
        (await SendAsync(alertId, severity, raisedAt, cause, cancellationToken))?.DueAt;

    /// <summary>
    /// Sends the deadline of a stored alert again if it is still open and not escalated: what a redelivery does when the
    /// delivery that raised the alert may have stopped before its deadline was sent.
    /// </summary>
    public async Task ScheduleIfOpenAsync(AlertState? alert, EventMetadata cause, CancellationToken cancellationToken)
    {
        if (alert is { IsAcknowledged: false, IsEscalated: false } open)
        {
            await ScheduleAsync(open.AlertId, open.Severity, open.RaisedAt, cause, cancellationToken);
        }
    }

    /// <summary>
    /// Sends the deadline on from <paramref name="leg"/> (the id of the message being handled), if that leg carries the
    /// alert's chain, and hands the chain to the leg sent. A leg delivered again after it sent its successor no longer
    /// carries the chain and sends nothing, so the chain never forks. A delivery that stopped after the send and before
    /// the hand-over sends again; the first successor then carries nothing and is dropped when it arrives.
    /// </summary>
    public async Task<SendOnOutcome> SendOnAsync(Guid leg, Guid alertId, string severity, DateTimeOffset raisedAt, EventMetadata cause, CancellationToken cancellationToken)
    {
        var chain = ChainOf(alertId);
        if (!await chains.TryCarryAsync(chain, leg, cancellationToken))
        {
            return SendOnOutcome.Superseded;
        }

        if (await SendAsync(alertId, severity, raisedAt, cause, cancellationToken) is not { } next)
        {
            await chains.EndAsync(chain, cancellationToken);
            return SendOnOutcome.Never;
        }

        await chains.HandOverAsync(chain, leg, next.MessageId, cancellationToken);
        return SendOnOutcome.SentOn;
    }

    /// <summary>The alert's deadline has been decided on its stream (escalated, or no longer needed): its chain is over.</summary>
    public Task EndAsync(Guid alertId, CancellationToken cancellationToken) => chains.EndAsync(ChainOf(alertId), cancellationToken);

    /// <summary>The deadline under the policy as configured now; null for never.</summary>
    public DateTimeOffset? DeadlineFor(string severity, DateTimeOffset raisedAt) => policy.CurrentValue.DeadlineFor(severity, raisedAt);

    private static string ChainOf(Guid alertId) => StreamId.ForAlert(alertId).Value;

    private async Task<(DateTimeOffset DueAt, Guid MessageId)?> SendAsync(
        Guid alertId, string severity, DateTimeOffset raisedAt, EventMetadata cause, CancellationToken cancellationToken)
    {
        if (DeadlineFor(severity, raisedAt) is not { } dueAt)
        {
            return null;
        }

        var messageId = await messages.SendAsync(
            HealthFlowTopology.Queues.AlertEscalation,
            StreamId.ForAlert(alertId),
            new AlertEscalationDue(alertId, severity, raisedAt, dueAt),
            dueAt,
            cause with { Traceparent = null, Tracestate = null },
            cancellationToken);
        return (dueAt, messageId);
    }
}

/// <summary>What <see cref="EscalationDeadlines.SendOnAsync"/> did.</summary>
public enum SendOnOutcome
{
    /// <summary>The next leg is on its way and carries the chain.</summary>
    SentOn,

    /// <summary>Another leg carries the chain (this one was delivered again, or was a duplicate): nothing sent.</summary>
    Superseded,

    /// <summary>The policy no longer escalates this severity: nothing sent, and the chain is over.</summary>
    Never,
}
