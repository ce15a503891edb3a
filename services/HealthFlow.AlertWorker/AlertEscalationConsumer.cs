using System.Diagnostics;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;
using HealthFlow.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;

namespace HealthFlow.AlertWorker;

/// <summary>
/// An alert's escalation deadline has arrived (or, for a deadline more than 15 minutes out, the next leg of it).
/// The deadline is recomputed under the current policy; before it, the message is sent on with the remaining delay,
/// by the leg that carries the alert's chain only (<see cref="EscalationDeadlines.SendOnAsync"/>), so a leg delivered
/// again does not fork it. At or after it, it reads the alert's stream and lets <see cref="AlertState.Escalate"/>
/// decide; AlertEscalated is appended at the version that was read. Exactly once: a redelivered or duplicated
/// deadline finds the alert escalated already, and a concurrent append (an acknowledgement, another worker's
/// escalation) makes this append conflict, so the retry decides again from the new state. Every way out either sends
/// the deadline on, leaves it to the leg that carries it, or knows it is no longer needed (escalated, acknowledged,
/// a severity the policy no longer escalates), and only then ends the chain.
/// </summary>
public sealed class AlertEscalationConsumer(
    IEventStore eventStore,
    EscalationDeadlines deadlines,
    IOptionsMonitor<EscalationPolicy> policy,
    AlertMetrics metrics,
    TimeProvider timeProvider,
    ILogger<AlertEscalationConsumer> logger) : IConsumer<EventEnvelope<AlertEscalationDue>>
{
    /// <summary>The span tag that says what became of a deadline (escalated, not-due, acknowledged...).</summary>
    public const string OutcomeTag = "healthflow.escalation.outcome";

    public async Task Consume(ConsumeContext<EventEnvelope<AlertEscalationDue>> context)
    {
        var due = context.Message.Event;
        var leg = context.MessageId ?? throw new InvalidOperationException("A deadline leg always has a MessageId (its envelope's event id).");
        var cause = EventMetadataFactory.CausedBy(context.Message);
        var cancellationToken = context.CancellationToken;
        var now = timeProvider.GetUtcNow();
        // The deadline under the policy as it is now, which may have changed since this message was sent.
        if (deadlines.DeadlineFor(due.Severity, due.RaisedAt) is not { } dueAt)
        {
            Record("never");
            await deadlines.EndAsync(due.AlertId, cancellationToken);
            logger.LogInformation("Alert {AlertId}: {Severity} alerts are no longer escalated; its deadline is dropped.", due.AlertId, due.Severity);
            return;
        }

        if (now < dueAt)
        {
            // An early leg of a deadline beyond SQS's 15-minute delay (or a lengthened policy): no need to read the stream yet.
            SentOn(await deadlines.SendOnAsync(leg, due.AlertId, due.Severity, due.RaisedAt, cause, cancellationToken));
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
                await deadlines.EndAsync(state.AlertId, cancellationToken);
                logger.LogWarning(
                    "Escalated {Severity} alert {AlertId} of patient {PatientId}: unacknowledged since {RaisedAt}, deadline {DueAt}.",
                    state.Severity, state.AlertId, state.PatientId, state.RaisedAt, escalated.Event.DueAt);
                break;
            case EscalateOutcome.NotDueYet:
                // Only if the message misstated the alert (the stream is the truth): wait for the stream's deadline.
                SentOn(await deadlines.SendOnAsync(leg, state.AlertId, state.Severity, state.RaisedAt, cause, cancellationToken));
                break;
            case EscalateOutcome.NotEscalated skipped:
                Record(skipped.Reason switch
                {
                    EscalationSkip.Acknowledged => "acknowledged",
                    EscalationSkip.AlreadyEscalated => "already-escalated",
                    _ => "never",
                });
                logger.LogDebug("Alert {AlertId} not escalated: {Reason}.", due.AlertId, skipped.Reason);
                await deadlines.EndAsync(state.AlertId, cancellationToken);
                break;
        }
    }

    private static void SentOn(SendOnOutcome outcome) => Record(outcome switch
    {
        SendOnOutcome.SentOn => "not-due",
        SendOnOutcome.Superseded => "superseded",
        _ => "never",
    });

    private static void Record(string outcome) => Activity.Current?.SetTag(OutcomeTag, outcome);
}
