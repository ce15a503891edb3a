using System.Globalization;

namespace HealthFlow.Domain.Monitoring;

/// <summary>
/// One scheduled check-in: due at <see cref="DueAt"/>, late but accepted until <see cref="Deadline"/> (due + grace),
/// and satisfied by any check-in submitted after <see cref="OpensAfter"/> (the previous window's deadline, or the
/// plan's SetAt for a plan's first window) and at or before <see cref="Deadline"/>. So every moment after SetAt
/// belongs to exactly one window, and a check-in counts for one window only.
/// </summary>
public sealed record CheckInWindow(DateTimeOffset OpensAfter, DateTimeOffset DueAt, DateTimeOffset Deadline)
{
    public bool IsSatisfiedBy(DateTimeOffset submittedAt) => submittedAt > OpensAfter && submittedAt <= Deadline;
}

/// <summary>
/// The windows of a plan's <see cref="CheckInSchedule"/>, from the plan's SetAt on. Pure arithmetic on instants:
/// <list type="bullet">
/// <item>Every N hours: due at SetAt + k·N (k ≥ 1), elapsed time, so a DST change neither stretches nor shortens one.</item>
/// <item>Times of day: each listed local time on each day in the schedule's IANA time zone. A time that a
/// spring-forward change skips is due when the clock has moved on by the gap (01:30 in a 01:00→02:00 gap is due at
/// 02:30 local, the same instant as 01:30 on the old offset); a time that a fall-back change repeats is due at its
/// first occurrence. Either way a day never has a window twice or loses one.</item>
/// </list>
/// The first window is the first one due strictly after SetAt: a plan set between due times starts with the next one.
/// </summary>
public static class CheckInWindows
{
    /// <summary>The plan's first window.</summary>
    public static CheckInWindow First(CheckInSchedule schedule, DateTimeOffset setAt) =>
        WindowAt(schedule, setAt, NextDueAfter(schedule, setAt, setAt));

    /// <summary>The window after the one due at <paramref name="dueAt"/>.</summary>
    public static CheckInWindow Next(CheckInSchedule schedule, DateTimeOffset setAt, DateTimeOffset dueAt) =>
        WindowAt(schedule, setAt, NextDueAfter(schedule, setAt, dueAt));

    /// <summary>
    /// The window due at <paramref name="dueAt"/>, a due time of this schedule after <paramref name="setAt"/>: it opens
    /// after the previous due time's deadline, or after SetAt when there is no previous due time since the plan was set.
    /// </summary>
    public static CheckInWindow WindowAt(CheckInSchedule schedule, DateTimeOffset setAt, DateTimeOffset dueAt)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var grace = TimeSpan.FromMinutes(schedule.GraceMinutes);
        var previous = PreviousDueBefore(schedule, setAt, dueAt);
        var opensAfter = previous is { } p && p > setAt ? p + grace : setAt;
        return new CheckInWindow(opensAfter, dueAt, dueAt + grace);
    }

    /// <summary>The first due time strictly after <paramref name="after"/>.</summary>
    public static DateTimeOffset NextDueAfter(CheckInSchedule schedule, DateTimeOffset setAt, DateTimeOffset after)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (schedule.EveryHours is { } hours)
        {
            var interval = TimeSpan.FromHours(hours);
            var elapsed = after < setAt ? TimeSpan.Zero : after - setAt;
            var k = (elapsed.Ticks / interval.Ticks) + 1;
            return setAt + (interval * k);
        }

        return DuesAround(schedule, after).Where(d => d > after).Min();
    }

    /// <summary>
    /// A window's reason, naming it in the patient's local time: "No check-in due 09:00 Europe/London on 2026-03-29
    /// by 10:00 (grace 60 min)."
    /// </summary>
    public static string Describe(CheckInSchedule schedule, CheckInWindow window)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(window);
        var zone = Zone(schedule);
        var due = TimeZoneInfo.ConvertTime(window.DueAt, zone);
        var deadline = TimeZoneInfo.ConvertTime(window.Deadline, zone);
        var by = deadline.Date == due.Date
            ? deadline.ToString("HH:mm", CultureInfo.InvariantCulture)
            : deadline.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture,
            $"No check-in due {due:HH:mm} {schedule.TimeZone} on {due:yyyy-MM-dd} by {by} (grace {schedule.GraceMinutes} min).");
    }

    private static DateTimeOffset? PreviousDueBefore(CheckInSchedule schedule, DateTimeOffset setAt, DateTimeOffset dueAt)
    {
        if (schedule.EveryHours is { } hours)
        {
            var previous = dueAt - TimeSpan.FromHours(hours);
            return previous > setAt ? previous : null;
        }

        var earlier = DuesAround(schedule, dueAt).Where(d => d < dueAt).ToList();
        return earlier.Count == 0 ? null : earlier.Max();
    }

    // Every listed local time on the days around the instant (the day before to the day after next, in local time):
    // enough for the next and the previous due time, whatever the offset or the times' spread over the day.
    private static IEnumerable<DateTimeOffset> DuesAround(CheckInSchedule schedule, DateTimeOffset instant)
    {
        var zone = Zone(schedule);
        var localDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);
        var times = schedule.LocalTimes();
        if (times.Count == 0)
        {
            throw new ArgumentException("A schedule needs everyHours or at least one time of day.", nameof(schedule));
        }

        for (var day = localDay.AddDays(-1); day <= localDay.AddDays(2); day = day.AddDays(1))
        {
            foreach (var time in times)
            {
                yield return ToInstant(day.ToDateTime(time, DateTimeKind.Unspecified), zone);
            }
        }
    }

    private static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        TimeSpan offset;
        if (zone.IsInvalidTime(local))
        {
            // Skipped by a spring-forward change: read it on the offset in force before the change, which lands the
            // same distance past the change as the time was past its start.
            offset = zone.GetUtcOffset(local.AddDays(-1));
        }
        else if (zone.IsAmbiguousTime(local))
        {
            // Repeated by a fall-back change: the first occurrence is on the larger (summer) offset.
            offset = zone.GetAmbiguousTimeOffsets(local).Max();
        }
        else
        {
            offset = zone.GetUtcOffset(local);
        }

        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    private static TimeZoneInfo Zone(CheckInSchedule schedule) => TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone);
}

/// <summary>
/// The delayed message that carries a check-in window's deadline under one plan version (a timer, not a stored event),
/// on queue check-in-deadlines. At or after <see cref="Deadline"/> alert-worker decides the window with
/// <see cref="CheckInScheduleState.Decide"/> and sends the next window's deadline; a message whose plan is no longer in
/// force ends its chain, since the plan in force has its own.
/// </summary>
public sealed record CheckInDeadline(Guid PatientId, int PlanVersion, DateTimeOffset DueAt, DateTimeOffset Deadline);
