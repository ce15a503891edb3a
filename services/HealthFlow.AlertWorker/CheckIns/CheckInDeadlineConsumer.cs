using System.Diagnostics;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Monitoring;
using HealthFlow.EventStore;
using MassTransit;

namespace HealthFlow.AlertWorker.CheckIns;

/// <summary>
/// A check-in window's deadline has arrived (or, for one more than 15 minutes out, the next leg of it). Only the leg
/// that carries the plan's chain acts (<see cref="CheckInDeadlines.CarriesAsync"/>); a duplicate first leg or an
/// orphaned one is dropped. Before the deadline the leg is sent on. At or after it, the plan in force now decides: if
/// it is another version, or has no schedule, the chain ends (a new plan has its own chain). Otherwise the window is
/// decided on schedule-{patientId} by <see cref="CheckInScheduleState.Decide"/>: a missed window is appended as
/// CheckInWindowMissed at the version read, its alert raised (alert id from the patient and due time, "must not
/// exist") with its escalation deadline, and, in every case, the next window's deadline is sent on the chain.
/// </summary>
/// <remarks>
/// Exactly one alert per window, with any number of workers and deliveries, and a crash between any two steps:
/// <list type="bullet">
/// <item>A check-in and the decision serialise on the schedule stream's version: whichever appends second conflicts,
/// and MassTransit's retry decides again from the stream as it is now.</item>
/// <item>Crash after CheckInWindowMissed, before the alert: the message is not deleted; its redelivery finds the window
/// recorded (<see cref="DeadlineOutcome.AlreadyMissed"/>) and raises the alert then. After the alert, before its
/// escalation deadline: the raise conflicts, and the stored alert's deadline is sent while it is open. After that,
/// before the next window's deadline or the hand-over: the leg still carries the chain, decides the same again (no
/// new event) and sends the next leg; a leg sent but not handed over carries nothing and is dropped on arrival.</item>
/// <item>A check-in that arrives between the window's record and its alert finds no alert to close: after raising,
/// this consumer reads the schedule again and closes the alert itself when a check-in closed the window meanwhile.
/// The check-in appends before it closes, so either it sees the alert or this read sees the check-in.</item>
/// <item>Two workers: only the leg carrying the chain gets past the first step, and each append is conditional.</item>
/// </list>
/// </remarks>
public sealed class CheckInDeadlineConsumer(
    IEventStore eventStore,
    CheckInDeadlines deadlines,
    MissedCheckInAlerts alerts,
    TimeProvider timeProvider,
    ILogger<CheckInDeadlineConsumer> logger) : IConsumer<EventEnvelope<CheckInDeadline>>
{
    /// <summary>The span tag that says what became of a deadline leg (missed, satisfied, not-due, superseded, plan-changed).</summary>
    public const string OutcomeTag = "healthflow.check_in_deadline.outcome";

    public async Task Consume(ConsumeContext<EventEnvelope<CheckInDeadline>> context)
    {
        var deadline = context.Message.Event;
        var leg = context.MessageId ?? throw new InvalidOperationException("A deadline leg always has a MessageId (its envelope's event id).");
        var cause = EventMetadataFactory.CausedBy(context.Message);
        var cancellationToken = context.CancellationToken;
        if (!await deadlines.CarriesAsync(leg, deadline, cancellationToken))
        {
            Record("superseded");
            return;
        }

        var now = timeProvider.GetUtcNow();
        if (now < deadline.Deadline)
        {
            Record("not-due");
            await deadlines.SendOnAsync(leg, deadline, cause, cancellationToken);
            return;
        }

        var monitoring = await eventStore.LoadAsync(StreamId.ForPatient(deadline.PatientId), PatientMonitoring.Initial, PatientMonitoring.Evolve, cancellationToken);
        if (monitoring.State.PlanInForceAt(now) is not { Plan.Schedule: { } schedule } plan || plan.Version != deadline.PlanVersion)
        {
            Record("plan-changed");
            await deadlines.EndAsync(deadline, cancellationToken);
            logger.LogInformation("Check-in deadlines of patient {PatientId} under plan {Version} end: another plan, or none with a schedule, is in force.",
                deadline.PatientId, deadline.PlanVersion);
            return;
        }

        var window = CheckInWindows.WindowAt(schedule, plan.SetAt, deadline.DueAt);
        var stream = StreamId.ForSchedule(deadline.PatientId);
        var (state, version) = await LoadWindowAsync(deadline.PatientId, window, cancellationToken);
        switch (state.Decide(deadline.PatientId, plan.Version, window, now))
        {
            case DeadlineOutcome.Missed missed:
                // A conflict propagates: a check-in was appended meanwhile, and the retry decides again with it.
                await eventStore.AppendAsync(stream, version, [missed.Event], cause, cancellationToken);
                await RaiseAsync(missed.Event, schedule, window, cause, cancellationToken);
                Record("missed");
                break;
            case DeadlineOutcome.AlreadyMissed recorded:
                await RaiseAsync(recorded.Recorded, schedule, window, cause, cancellationToken);
                Record("already-missed");
                break;
            case DeadlineOutcome.Satisfied:
                Record("satisfied");
                break;
            case DeadlineOutcome.NotDueYet:
                // Only if the message misstated its window (the plan is the truth): wait for the plan's deadline.
                Record("not-due");
                await deadlines.SendOnAsync(leg, deadline with { Deadline = window.Deadline }, cause, cancellationToken);
                return;
        }

        var next = CheckInWindows.Next(schedule, plan.SetAt, window.DueAt);
        await deadlines.SendOnAsync(leg, new CheckInDeadline(deadline.PatientId, plan.Version, next.DueAt, next.Deadline), cause, cancellationToken);
    }

    private async Task RaiseAsync(CheckInWindowMissed missed, CheckInSchedule schedule, CheckInWindow window, EventMetadata cause, CancellationToken cancellationToken)
    {
        await alerts.RaiseAsync(missed, schedule, window, cause, cancellationToken);
        var after = (await LoadWindowAsync(missed.PatientId, window, cancellationToken)).State;
        if (after.ClosedBy(missed.DueAt) is { } checkIn)
        {
            await alerts.CloseAsync(missed.AlertId, checkIn, cause, cancellationToken);
        }
    }

    /// <summary>How far alert-worker's clock (an event's OccurredAt) may lag command-api's (a check-in's SubmittedAt).</summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The events of schedule-{patientId} that can decide <paramref name="window"/>, and the stream's version. A check-in
    /// that satisfies it was submitted after it opened, and its miss is recorded at its deadline, so neither was appended
    /// before it opened: the read goes back from the newest commit to the window's opening (less the clock allowance),
    /// and a deadline costs the commits since then, however long the stream has grown.
    /// </summary>
    private Task<LoadedStream<CheckInScheduleState>> LoadWindowAsync(Guid patientId, CheckInWindow window, CancellationToken cancellationToken) =>
        eventStore.LoadTailAsync(
            StreamId.ForSchedule(patientId),
            CheckInScheduleState.Initial,
            CheckInScheduleState.Evolve,
            envelope => envelope.OccurredAt < window.OpensAfter - ClockSkewAllowance,
            cancellationToken);

    private static void Record(string outcome) => Activity.Current?.SetTag(OutcomeTag, outcome);
}
