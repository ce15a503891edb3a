using System.Globalization;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;

namespace HealthFlow.Domain.Monitoring;

/// <summary>
/// A patient's check-in schedule bookkeeping, folded from schedule-{patientId} (alert-worker's stream): every check-in
/// received while a schedule was in force, every window missed, and which check-in closed which missed windows.
/// <see cref="Version"/> is the stream version folded up to, the expected version of the next append: a check-in and a
/// deadline decision read, decide and append at it, so whichever appends second conflicts and decides again.
/// </summary>
public sealed record CheckInScheduleState(
    IReadOnlyList<CheckInScheduleState.Received> CheckIns,
    IReadOnlyList<CheckInWindowMissed> Missed,
    IReadOnlyList<CheckInWindowMissed> Open,
    long Version)
{
    /// <summary>A check-in, and the missed windows it closed (those open when it was received).</summary>
    public sealed record Received(CheckInReceived Event, IReadOnlyList<CheckInWindowMissed> Closed);

    public static CheckInScheduleState Initial { get; } = new([], [], [], 0);

    /// <summary>One step of a fold over the stream as it is read; other event types are ignored.</summary>
    public static CheckInScheduleState Evolve(CheckInScheduleState state, EventEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(envelope);
        state = envelope.Type switch
        {
            EventTypes.CheckInReceived => state with
            {
                CheckIns = [.. state.CheckIns, new Received(envelope.DataAs<CheckInReceived>(), state.Open)],
                Open = [],
            },
            EventTypes.CheckInWindowMissed when envelope.DataAs<CheckInWindowMissed>() is var missed => state with
            {
                Missed = [.. state.Missed, missed],
                Open = [.. state.Open, missed],
            },
            _ => state,
        };
        return state with { Version = Math.Max(state.Version, envelope.Version) };
    }

    /// <summary>
    /// Decides a check-in: <see cref="ReceiveOutcome.Record"/> the first time this observation is seen, with the missed
    /// windows it closes (every one still open); <see cref="ReceiveOutcome.AlreadyRecorded"/> for a redelivery, with the
    /// windows its first delivery closed, so a delivery that stopped before closing their alerts is finished by the next.
    /// </summary>
    public ReceiveOutcome Receive(Guid patientId, Guid observationId, DateTimeOffset submittedAt)
    {
        var recorded = CheckIns.FirstOrDefault(c => c.Event.ObservationId == observationId);
        return recorded is not null
            ? new ReceiveOutcome.AlreadyRecorded(recorded.Event, recorded.Closed)
            : new ReceiveOutcome.Record(new CheckInReceived(patientId, observationId, submittedAt), Open);
    }

    /// <summary>
    /// Decides a window at its deadline under plan <paramref name="planVersion"/>: not yet (before the deadline),
    /// satisfied by a check-in submitted within it, missed already (a redelivered or duplicated deadline), or missed now.
    /// Windows are keyed by their due time: the missed-check-in alert's id is derived from it.
    /// </summary>
    public DeadlineOutcome Decide(Guid patientId, int planVersion, CheckInWindow window, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (now < window.Deadline)
        {
            return new DeadlineOutcome.NotDueYet(window.Deadline);
        }

        if (Missed.FirstOrDefault(m => m.DueAt == window.DueAt) is { } recorded)
        {
            return new DeadlineOutcome.AlreadyMissed(recorded);
        }

        if (CheckIns.FirstOrDefault(c => window.IsSatisfiedBy(c.Event.SubmittedAt)) is { } satisfied)
        {
            return new DeadlineOutcome.Satisfied(satisfied.Event);
        }

        return new DeadlineOutcome.Missed(new CheckInWindowMissed(
            patientId, AlertId.ForMissedCheckIn(patientId, window.DueAt), planVersion, window.DueAt, window.Deadline, now));
    }

    /// <summary>The check-in that closed a missed window, or null while it is open (or was never missed).</summary>
    public CheckInReceived? ClosedBy(DateTimeOffset dueAt) =>
        CheckIns.FirstOrDefault(c => c.Closed.Any(m => m.DueAt == dueAt))?.Event;

    /// <summary>
    /// The alert a missed window raises. Raised at the decision's time, so every attempt to raise it (a redelivery
    /// after a crash) builds the same event.
    /// </summary>
    public static AlertRaised AlertFor(CheckInWindowMissed missed, string severity, string reason) =>
        new(missed.AlertId, missed.PatientId, ObservationId: null, severity, AlertRules.CheckInMissed, [reason],
            Score: null, News2: null, Partial: false, missed.DecidedAt, [AlertRules.CheckInMissed], missed.PlanVersion, missed.DueAt);

    /// <summary>The note of the system's acknowledgement that closes a missed window's alert: the check-in that closed it.</summary>
    public static string ClosingNote(CheckInReceived checkIn) => string.Create(CultureInfo.InvariantCulture,
        $"Closed by check-in {checkIn.ObservationId:D} submitted at {checkIn.SubmittedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z.");

    /// <summary>Who acknowledges a missed-check-in alert that the patient's next check-in closed.</summary>
    public const string SystemActor = "system";
}

/// <summary>
/// The result of <see cref="CheckInScheduleState.Receive"/>: the check-in, and the missed windows whose alerts it
/// closes (closing an alert acknowledged already does nothing, so a redelivery closes them again safely).
/// </summary>
public abstract record ReceiveOutcome
{
    private ReceiveOutcome(CheckInReceived @event, IReadOnlyList<CheckInWindowMissed> closes) => (Event, Closes) = (@event, closes);

    public CheckInReceived Event { get; }

    public IReadOnlyList<CheckInWindowMissed> Closes { get; }

    /// <summary>Append <see cref="ReceiveOutcome.Event"/> at the state's version, then close the alerts of <see cref="ReceiveOutcome.Closes"/>.</summary>
    public sealed record Record(CheckInReceived Received, IReadOnlyList<CheckInWindowMissed> Open) : ReceiveOutcome(Received, Open);

    /// <summary>This observation was received before: nothing to append; close what its first delivery closed.</summary>
    public sealed record AlreadyRecorded(CheckInReceived Recorded, IReadOnlyList<CheckInWindowMissed> Closed) : ReceiveOutcome(Recorded, Closed);
}

/// <summary>The result of <see cref="CheckInScheduleState.Decide"/>.</summary>
public abstract record DeadlineOutcome
{
    private DeadlineOutcome()
    {
    }

    /// <summary>The window's deadline is still ahead.</summary>
    public sealed record NotDueYet(DateTimeOffset Deadline) : DeadlineOutcome;

    /// <summary>A check-in submitted within the window satisfied it: nothing to raise.</summary>
    public sealed record Satisfied(CheckInReceived By) : DeadlineOutcome;

    /// <summary>Append <see cref="Event"/> at the state's version, then raise its alert.</summary>
    public sealed record Missed(CheckInWindowMissed Event) : DeadlineOutcome;

    /// <summary>The window was recorded missed before: make sure its alert is raised (an earlier attempt may have stopped).</summary>
    public sealed record AlreadyMissed(CheckInWindowMissed Recorded) : DeadlineOutcome;
}
