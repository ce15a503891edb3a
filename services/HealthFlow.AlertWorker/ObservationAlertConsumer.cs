using HealthFlow.AlertWorker.CheckIns;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Monitoring;
using HealthFlow.EventStore;
using HealthFlow.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;

namespace HealthFlow.AlertWorker;

/// <summary>
/// Evaluates every alert rule for a submitted check-in together and raises at most one alert: the
/// highest severity, every rule and every reason. Idempotent: the alert id is a UUIDv5 of the
/// observation id and its stream must not exist, so a redelivered (or duplicated) observation finds
/// its alert raised already and raises nothing.
/// The rules are the patient's: the monitoring plan in force when the check-in was submitted (read from the
/// patient's stream, one Query per check-in), or the defaults where none was set; the alert records its version.
/// A check-in under a plan with a check-in schedule is recorded on that schedule first, closing the missed-check-in
/// alerts it ends (<see cref="ScheduledCheckIns"/>).
/// </summary>
/// <remarks>
/// The escalation deadline is sent from here, right after the append, rather than from a consumer of
/// AlertRaised: this consumer already knows the severity and the time, and needs no second EventBridge rule,
/// queue and hop. Nothing is lost between the two steps: the ObservationSubmitted message is deleted only
/// after both succeed, so a crash in between redelivers it, the append conflicts (or, under rules changed since, no
/// alert is decided and the stored one is read), and the deadline of the (still open) alert is sent then. A duplicate
/// deadline is harmless: escalation is decided once, on the stream, and only one leg carries a deadline's chain.
/// </remarks>
public sealed class ObservationAlertConsumer(
    IEventStore eventStore,
    IOptionsMonitor<AlertRulesOptions> rules,
    EscalationDeadlines escalation,
    ScheduledCheckIns checkIns,
    AlertMetrics metrics,
    TimeProvider timeProvider,
    ILogger<ObservationAlertConsumer> logger) : IConsumer<EventEnvelope<ObservationSubmitted>>
{
    public async Task Consume(ConsumeContext<EventEnvelope<ObservationSubmitted>> context)
    {
        var observation = context.Message.Event;
        var envelope = context.Message;
        var cancellationToken = context.CancellationToken;
        var monitoring = await eventStore.LoadAsync(StreamId.ForPatient(observation.PatientId), PatientMonitoring.Initial, PatientMonitoring.Evolve, cancellationToken);
        var plan = monitoring.State.PlanInForceAt(observation.SubmittedAt);
        // First, so a conflict on the schedule retries the whole message before anything else is decided; the rest is idempotent.
        await checkIns.RecordAsync(observation, plan, EventMetadataFactory.CausedBy(envelope), cancellationToken);
        if (AlertEvaluator.Decide(observation.Vitals, rules.CurrentValue, plan?.Plan) is not { } alert)
        {
            // Today's rules raise nothing, but an earlier delivery, under rules since changed, may have raised this
            // check-in's alert and stopped before its deadline was sent: the stored alert decides, not the rules.
            // Only a delivery that is not the first can find one, so a first delivery costs no read.
            if (context.GetRedeliveryCount() > 0 || context.GetRetryAttempt() > 0)
            {
                await RescheduleIfOpenAsync(AlertId.For(observation.ObservationId), EventMetadataFactory.CausedBy(envelope), cancellationToken);
            }

            return;
        }

        var alertId = AlertId.For(observation.ObservationId);
        var raised = new AlertRaised(
            alertId,
            observation.PatientId,
            observation.ObservationId,
            alert.Severity,
            alert.Rule,
            alert.Reasons,
            alert.Score,
            alert.News2,
            alert.Partial,
            timeProvider.GetUtcNow(),
            alert.Rules,
            plan?.Version);
        var cause = EventMetadataFactory.CausedBy(envelope);
        try
        {
            await eventStore.AppendAsync(StreamId.ForAlert(alertId), ExpectedVersion.NoStream, [raised], cause, cancellationToken);
            metrics.AlertRaised(alert.Severity, alert.Rule);
            logger.LogInformation(
                "Raised {Severity} alert {AlertId} ({Rules}) for observation {ObservationId} of patient {PatientId} under plan version {PlanVersion}.",
                alert.Severity, alertId, string.Join(", ", alert.Rules), observation.ObservationId, observation.PatientId, plan?.Version ?? 0);
        }
        catch (ConcurrencyConflictException)
        {
            // The stream exists: this observation was delivered before and its alert is raised. Success.
            metrics.DuplicateSkipped(alert.Rule);
            logger.LogDebug("Alert {AlertId} was raised already; redelivery of observation {ObservationId} skipped.", alertId, observation.ObservationId);
            await RescheduleIfOpenAsync(alertId, cause, cancellationToken);
            return;
        }

        await escalation.ScheduleAsync(alertId, raised.Severity, raised.RaisedAt, cause, cancellationToken);
    }

    // The earlier delivery may have stopped between the append and the deadline: send it again, from the stored alert.
    private async Task RescheduleIfOpenAsync(Guid alertId, EventMetadata cause, CancellationToken cancellationToken)
    {
        var alert = await eventStore.LoadAsync<AlertState?>(StreamId.ForAlert(alertId), null, AlertState.Evolve, cancellationToken);
        await escalation.ScheduleIfOpenAsync(alert.State, cause, cancellationToken);
    }
}
