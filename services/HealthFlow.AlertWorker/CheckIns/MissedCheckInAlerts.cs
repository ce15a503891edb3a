using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Monitoring;
using HealthFlow.EventStore;
using Microsoft.Extensions.Options;

namespace HealthFlow.AlertWorker.CheckIns;

/// <summary>
/// Raises a missed window's alert and closes it when the patient checks in again. Both steps are safe to repeat: the
/// alert's stream must not exist when it is raised, and the closing acknowledgement is decided by
/// <see cref="AlertState.Acknowledge"/>, which leaves an alert acknowledged already (by a clinician, or by an earlier
/// attempt) alone.
/// </summary>
public sealed class MissedCheckInAlerts(
    IEventStore eventStore,
    EscalationDeadlines escalation,
    IOptionsMonitor<AlertRulesOptions> rules,
    AlertMetrics metrics,
    TimeProvider timeProvider,
    ILogger<MissedCheckInAlerts> logger)
{
    /// <summary>
    /// Raises the alert of <paramref name="missed"/> ("must not exist") and sends its escalation deadline. Raised
    /// before by an attempt that may have stopped before the deadline was sent, its deadline is sent again while it is open.
    /// </summary>
    public async Task RaiseAsync(CheckInWindowMissed missed, CheckInSchedule schedule, CheckInWindow window, EventMetadata cause, CancellationToken cancellationToken)
    {
        var raised = CheckInScheduleState.AlertFor(missed, rules.CurrentValue.CheckInMissedSeverity, CheckInWindows.Describe(schedule, window));
        var stream = StreamId.ForAlert(raised.AlertId);
        try
        {
            await eventStore.AppendAsync(stream, ExpectedVersion.NoStream, [raised], cause, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            metrics.DuplicateSkipped(raised.Rule);
            var stored = await eventStore.LoadAsync<AlertState?>(stream, null, AlertState.Evolve, cancellationToken);
            await escalation.ScheduleIfOpenAsync(stored.State, cause, cancellationToken);
            return;
        }

        metrics.AlertRaised(raised.Severity, raised.Rule);
        logger.LogInformation(
            "Raised {Severity} alert {AlertId} of patient {PatientId}: {Reason}",
            raised.Severity, raised.AlertId, raised.PatientId, raised.Reasons[0]);
        await escalation.ScheduleAsync(raised.AlertId, raised.Severity, raised.RaisedAt, cause, cancellationToken);
    }

    /// <summary>
    /// Acknowledges a missed window's alert as <see cref="CheckInScheduleState.SystemActor"/>, naming the check-in that
    /// closed it, unless it is acknowledged already. An alert not raised yet is left to its raiser, which reads the
    /// schedule after raising and closes it then (<see cref="CheckInDeadlineConsumer"/>). A concurrent acknowledgement
    /// makes the append conflict; the retry finds the alert acknowledged.
    /// </summary>
    public async Task CloseAsync(Guid alertId, CheckInReceived checkIn, EventMetadata cause, CancellationToken cancellationToken)
    {
        var stream = StreamId.ForAlert(alertId);
        if ((await eventStore.LoadAsync<AlertState?>(stream, null, AlertState.Evolve, cancellationToken)).State is not { } alert)
        {
            return;
        }

        if (alert.Acknowledge(CheckInScheduleState.SystemActor, CheckInScheduleState.ClosingNote(checkIn), timeProvider.GetUtcNow())
            is AcknowledgeOutcome.Acknowledged acknowledged)
        {
            await eventStore.AppendAsync(stream, alert.Version, [acknowledged.Event], cause, cancellationToken);
            logger.LogInformation("Closed missed-check-in alert {AlertId} of patient {PatientId}: check-in {ObservationId}.",
                alertId, alert.PatientId, checkIn.ObservationId);
        }
    }
}
