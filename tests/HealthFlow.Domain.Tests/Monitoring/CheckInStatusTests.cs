using HealthFlow.Domain.Monitoring;

namespace HealthFlow.Domain.Tests.Monitoring;

public class CheckInStatusTests
{
    private static readonly CheckInSchedule TwiceDaily = new(null, ["08:00", "20:00"], "Europe/London", GraceMinutes: 60);

    // 2026-01-10 is winter: London is on UTC, so local times read as UTC here.
    private static readonly DateTimeOffset SetAt = Utc(10, 12);

    private static DateTimeOffset Utc(int day, int hour, int minute = 0) => new(2026, 1, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void Before_the_first_due_time_without_a_check_in_the_first_window_is_next_and_nothing_is_overdue()
    {
        var status = CheckInStatus.At(TwiceDaily, SetAt, lastCheckInAt: null, now: Utc(10, 15));

        Assert.Equal(new CheckInStatus(new CheckInWindow(SetAt, Utc(10, 20), Utc(10, 21)), false, null), status);
    }

    [Fact]
    public void A_check_in_within_the_open_window_moves_next_to_the_window_after_it()
    {
        var status = CheckInStatus.At(TwiceDaily, SetAt, lastCheckInAt: Utc(10, 19, 30), now: Utc(10, 19, 45));

        Assert.Equal((Utc(11, 8), Utc(11, 9), false), (status.Next.DueAt, status.Next.Deadline, status.Overdue));
    }

    [Fact]
    public void Past_the_due_time_within_the_grace_the_open_window_is_overdue_and_still_next()
    {
        var status = CheckInStatus.At(TwiceDaily, SetAt, lastCheckInAt: null, now: Utc(10, 20, 30));

        Assert.Equal((Utc(10, 20), true, (DateTimeOffset?)Utc(10, 20)), (status.Next.DueAt, status.Overdue, status.OverdueDueAt));
    }

    [Fact]
    public void After_the_grace_ends_the_missed_window_stays_overdue_while_next_is_the_following_window()
    {
        var status = CheckInStatus.At(TwiceDaily, SetAt, lastCheckInAt: null, now: Utc(10, 21, 1));

        Assert.Equal((Utc(11, 8), true, (DateTimeOffset?)Utc(10, 20)), (status.Next.DueAt, status.Overdue, status.OverdueDueAt));
    }

    [Fact]
    public void A_check_in_after_a_missed_window_clears_the_overdue_state_and_counts_for_the_window_it_falls_in()
    {
        // 22:00 falls in the window due 08:00 the next morning (open since 21:00), so the one after it is next.
        var status = CheckInStatus.At(TwiceDaily, SetAt, lastCheckInAt: Utc(10, 22), now: Utc(10, 23));

        Assert.Equal((Utc(11, 20), false, (DateTimeOffset?)null), (status.Next.DueAt, status.Overdue, status.OverdueDueAt));
    }

    [Fact]
    public void A_check_in_in_the_previous_window_leaves_nothing_overdue_until_the_open_ones_due_time()
    {
        var beforeDue = CheckInStatus.At(TwiceDaily, SetAt, lastCheckInAt: Utc(10, 20, 30), now: Utc(11, 7));
        var afterDue = CheckInStatus.At(TwiceDaily, SetAt, lastCheckInAt: Utc(10, 20, 30), now: Utc(11, 8, 1));

        Assert.Equal((Utc(11, 8), false), (beforeDue.Next.DueAt, beforeDue.Overdue));
        Assert.Equal((Utc(11, 8), true, (DateTimeOffset?)Utc(11, 8)), (afterDue.Next.DueAt, afterDue.Overdue, afterDue.OverdueDueAt));
    }

    [Fact]
    public void A_check_in_from_before_the_plan_was_set_counts_for_no_window()
    {
        var status = CheckInStatus.At(TwiceDaily, SetAt, lastCheckInAt: Utc(10, 11), now: Utc(11, 2));

        Assert.Equal((Utc(11, 8), true, (DateTimeOffset?)Utc(10, 20)), (status.Next.DueAt, status.Overdue, status.OverdueDueAt));
    }

    [Fact]
    public void An_interval_schedule_counts_from_SetAt()
    {
        var everyFour = new CheckInSchedule(4, null, "Europe/London", GraceMinutes: 30);

        var status = CheckInStatus.At(everyFour, SetAt, lastCheckInAt: Utc(10, 12, 5), now: Utc(10, 12, 6));

        Assert.Equal((Utc(10, 20), Utc(10, 20, 30), false), (status.Next.DueAt, status.Next.Deadline, status.Overdue));
    }
}
