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
/// Before the deadline it sends the message on with the remaining delay. At or after it, it reads the alert's
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
        if (now < due.DueAt)
        {
            // An early leg of a deadline beyond SQS's 15-minute delay: no need to read the stream yet.
            await deadlines.WaitUntilAsync(due.AlertId, due.DueAt, cause, cancellationToken);
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
            case EscalateOutcome.NotDueYet notDue:
                // The policy was lengthened since the deadline was sent: wait for the new one.
                await deadlines.WaitUntilAsync(due.AlertId, notDue.DueAt, cause, cancellationToken);
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
