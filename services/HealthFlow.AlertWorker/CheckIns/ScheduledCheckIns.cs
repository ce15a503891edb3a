using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Monitoring;
using HealthFlow.EventStore;

namespace HealthFlow.AlertWorker.CheckIns;

/// <summary>
/// Records a check-in on schedule-{patientId} when the plan it was submitted under has a check-in schedule, and
/// closes the missed-check-in alerts it ends. A patient without a schedule costs nothing here: no read, no write.
/// </summary>
/// <remarks>
/// CheckInReceived is appended at the version read, before the alerts are closed: a deadline decided meanwhile makes
/// the append conflict and the retry decides again. Closing after the append means that a window's raiser, which reads
/// the schedule after raising, and this check-in cannot both miss each other (see <see cref="CheckInDeadlineConsumer"/>).
/// A delivery that stopped between the two is finished by the redelivery: the fold remembers which windows the check-in
/// closed, and closing an acknowledged alert again does nothing.
/// </remarks>
public sealed class ScheduledCheckIns(IEventStore eventStore, MissedCheckInAlerts alerts, ILogger<ScheduledCheckIns> logger)
{
    public async Task RecordAsync(ObservationSubmitted observation, MonitoringPlanSet? planInForce, EventMetadata cause, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observation);
        if (planInForce?.Plan.Schedule is null)
        {
            return;
        }

        var stream = StreamId.ForSchedule(observation.PatientId);
        var state = (await eventStore.LoadAsync(stream, CheckInScheduleState.Initial, CheckInScheduleState.Evolve, cancellationToken)).State;
        var outcome = state.Receive(observation.PatientId, observation.ObservationId, observation.SubmittedAt);
        if (outcome is ReceiveOutcome.Record)
        {
            // A conflict propagates: a deadline was decided meanwhile, and the retry receives the check-in again.
            await eventStore.AppendAsync(stream, state.Version, [outcome.Event], cause, cancellationToken);
            logger.LogDebug("Check-in {ObservationId} of patient {PatientId} recorded on its schedule.", observation.ObservationId, observation.PatientId);
        }

        foreach (var missed in outcome.Closes)
        {
            await alerts.CloseAsync(missed.AlertId, outcome.Event, cause, cancellationToken);
        }
    }
}
