using System.Diagnostics;
using HealthFlow.Aws.EventStore;
using HealthFlow.Aws.Messaging;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using MassTransit;
using Microsoft.Extensions.Options;

namespace HealthFlow.AlertWorker;

/// <summary>
/// An alert's escalation deadline has arrived (or, for a deadline more than 15 minutes out, the next leg of it).
/// The deadline is recomputed under the current policy; before it, the message is sent on with the remaining delay. At or after it, it reads the alert's
/// stream and lets <see cref="AlertState.Escalate"/> decide; AlertEscalated is appended at the version that was
/// read. Exactly once: a redelivered or duplicated deadline finds the alert escalated already, and a concurrent
/// append (an acknowledgement, another worker's escalation) makes this append conflict, so the retry decides
/// again from the new state.
/// </summary>
public sealed class AlertEscalationConsumer(
    IEventStore eventStore,
    EscalationDeadlines deadlines,
    IOptionsMonitor<EscalationPolicy> policy,
    AlertMetrics metrics,
    TimeProvider timeProvider,
    ILogger<AlertEscalationConsumer> logger) : IConsumer<AlertEscalationDue>
{
    /// <summary>The span tag that says what became of a deadline (escalated, not-due, acknowledged...).</summary>
    public const string OutcomeTag = "healthflow.escalation.outcome";

    public async Task Consume(ConsumeContext<AlertEscalationDue> context)
    {
        var due = context.Message;
        var cause = EventMetadataFactory.CausedBy(context.Envelope());
        var cancellationToken = context.CancellationToken;
        var now = timeProvider.GetUtcNow();
        // The deadline under the policy as it is now, which may have changed since this message was sent.
        if (deadlines.DeadlineFor(due.Severity, due.RaisedAt) is not { } dueAt)
        {
            Record("never");
            logger.LogInformation("Alert {AlertId}: {Severity} alerts are no longer escalated; its deadline is dropped.", due.AlertId, due.Severity);
            return;
        }

        if (now < dueAt)
        {
            // An early leg of a deadline beyond SQS's 15-minute delay (or a lengthened policy): no need to read the stream yet.
            await deadlines.ScheduleAsync(due.AlertId, due.Severity, due.RaisedAt, cause, cancellationToken);
            Record("not-due");
            return;
        }

        var stream = StreamId.ForAlert(due.AlertId);
        var events = new List<EventEnvelope>();
        await foreach (var envelope in eventStore.ReadStreamAsync(stream, 1, cancellationToken))
        {
            events.Add(envelope);
        }

        if (AlertState.From(events) is not { } state)
        {
            // Deadlines are sent only after AlertRaised is stored; fail, and leave a never-resolving one to the DLQ.
            throw new InvalidOperationException($"Alert {due.AlertId} has an escalation deadline but no AlertRaised.");
        }

        switch (state.Escalate(policy.CurrentValue, now))
        {
            case EscalateOutcome.Escalated escalated:
                // A conflict propagates: MassTransit's retry reads the stream again and decides from what is there now.
                await eventStore.AppendAsync(stream, state.Version, [escalated.Event], cause, cancellationToken);
                metrics.AlertEscalated(state.Severity);
                Record("escalated");
                logger.LogWarning(
                    "Escalated {Severity} alert {AlertId} of patient {PatientId}: unacknowledged since {RaisedAt}, deadline {DueAt}.",
                    state.Severity, state.AlertId, state.PatientId, state.RaisedAt, escalated.Event.DueAt);
                break;
            case EscalateOutcome.NotDueYet:
                // Only if the message misstated the alert (the stream is the truth): wait for the stream's deadline.
                await deadlines.ScheduleAsync(state.AlertId, state.Severity, state.RaisedAt, cause, cancellationToken);
                Record("not-due");
                break;
            case EscalateOutcome.NotEscalated skipped:
                Record(skipped.Reason switch
                {
                    EscalationSkip.Acknowledged => "acknowledged",
                    EscalationSkip.AlreadyEscalated => "already-escalated",
                    _ => "never",
                });
                logger.LogDebug("Alert {AlertId} not escalated: {Reason}.", due.AlertId, skipped.Reason);
                break;
        }
    }

    private static void Record(string outcome) => Activity.Current?.SetTag(OutcomeTag, outcome);
}
