namespace HealthFlow.Domain.Monitoring;

/// <summary>
/// Where a patient stands against their schedule at one moment, as the patient app shows it: the window the next
/// check-in counts for, and whether one is overdue (a due time has passed with no check-in in its window).
/// </summary>
/// <param name="Next">The window to check in for: the one open now, or the one after when a check-in already satisfied it.</param>
/// <param name="Overdue">True while a due time has passed without a check-in in its window: late within the grace, or missed.</param>
/// <param name="OverdueDueAt">The due time that is overdue: the previous window's when it was missed, else the open one's; null when none is.</param>
public sealed record CheckInStatus(CheckInWindow Next, bool Overdue, DateTimeOffset? OverdueDueAt)
{
    /// <summary>
    /// The status at <paramref name="now"/> under a plan set at <paramref name="setAt"/>, knowing only the patient's
    /// latest check-in (its SubmittedAt, as windows judge it). The open window and the one before it decide: a check-in
    /// closes every missed window (CheckInScheduleState.Receive), so an older miss is outstanding only when the previous
    /// window was missed too, and then naming the most recent miss is enough to ask for a check-in.
    /// </summary>
    public static CheckInStatus At(CheckInSchedule schedule, DateTimeOffset setAt, DateTimeOffset? lastCheckInAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var grace = TimeSpan.FromMinutes(schedule.GraceMinutes);
        var first = CheckInWindows.First(schedule, setAt);
        // The window open now is the first one whose deadline is not yet past: due at or after now - grace.
        var open = now <= first.Deadline
            ? first
            : CheckInWindows.WindowAt(schedule, setAt, CheckInWindows.NextDueAfter(schedule, setAt, now - grace - TimeSpan.FromTicks(1)));

        if (lastCheckInAt is { } last && last > open.OpensAfter)
        {
            return new CheckInStatus(CheckInWindows.Next(schedule, setAt, open.DueAt), Overdue: false, OverdueDueAt: null);
        }

        // The window before the open one (there is none before a plan's first) was missed unless the latest check-in fell in it.
        var previous = open.OpensAfter > setAt ? CheckInWindows.WindowAt(schedule, setAt, open.OpensAfter - grace) : null;
        var previousMissed = previous is not null && !(lastCheckInAt > previous.OpensAfter);
        var late = now > open.DueAt;
        return new CheckInStatus(
            open,
            previousMissed || late,
            previousMissed ? previous!.DueAt : late ? open.DueAt : null);
    }
}
