using HealthFlow.Domain.Monitoring;

namespace HealthFlow.Domain.Tests.Monitoring;

public class CheckInWindowsTests
{
    private const string London = "Europe/London";

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    private static CheckInSchedule Every(int hours, int grace = 0) => new(hours, null, London, grace);

    private static CheckInSchedule At(string[] times, int grace = 0, string zone = London) => new(null, times, zone, grace);

    [Fact]
    public void An_interval_schedule_is_due_every_N_hours_from_the_plans_SetAt_and_the_first_window_opens_at_SetAt()
    {
        var setAt = Utc(1, 10, 9, 10);

        var first = CheckInWindows.First(Every(4, grace: 30), setAt);
        var second = CheckInWindows.Next(Every(4, grace: 30), setAt, first.DueAt);

        Assert.Equal(new CheckInWindow(setAt, Utc(1, 10, 13, 10), Utc(1, 10, 13, 40)), first);
        Assert.Equal(new CheckInWindow(Utc(1, 10, 13, 40), Utc(1, 10, 17, 10), Utc(1, 10, 17, 40)), second);
    }

    [Fact]
    public void A_check_in_exactly_at_the_deadline_satisfies_the_window_and_one_exactly_at_its_opening_belongs_to_the_window_before()
    {
        var window = CheckInWindows.WindowAt(Every(4, grace: 30), Utc(1, 10, 9), Utc(1, 10, 17));

        Assert.Equal(Utc(1, 10, 13, 30), window.OpensAfter);
        Assert.True(window.IsSatisfiedBy(window.Deadline));
        Assert.False(window.IsSatisfiedBy(window.Deadline.AddTicks(1)));
        Assert.False(window.IsSatisfiedBy(window.OpensAfter));
        Assert.True(window.IsSatisfiedBy(window.OpensAfter.AddTicks(1)));
    }

    [Fact]
    public void A_plan_set_between_due_times_starts_with_the_next_time_of_day()
    {
        var setAt = Utc(1, 10, 12);

        var first = CheckInWindows.First(At(["08:00", "20:00"], grace: 60), setAt);

        Assert.Equal(new CheckInWindow(setAt, Utc(1, 10, 20), Utc(1, 10, 21)), first);
    }

    [Fact]
    public void A_plan_set_exactly_at_a_due_time_starts_with_the_one_after()
    {
        var first = CheckInWindows.First(At(["08:00", "20:00"]), Utc(1, 10, 8));

        Assert.Equal(Utc(1, 10, 20), first.DueAt);
    }

    [Fact]
    public void Times_of_day_wrap_past_midnight_into_the_next_local_day()
    {
        var schedule = At(["22:00", "02:00"], grace: 30);
        var setAt = Utc(1, 10, 23);

        var first = CheckInWindows.First(schedule, setAt);
        var second = CheckInWindows.Next(schedule, setAt, first.DueAt);
        var third = CheckInWindows.Next(schedule, setAt, second.DueAt);

        Assert.Equal(new CheckInWindow(setAt, Utc(1, 11, 2), Utc(1, 11, 2, 30)), first);
        Assert.Equal(new CheckInWindow(Utc(1, 11, 2, 30), Utc(1, 11, 22), Utc(1, 11, 22, 30)), second);
        Assert.Equal(new CheckInWindow(Utc(1, 11, 22, 30), Utc(1, 12, 2), Utc(1, 12, 2, 30)), third);
    }

    [Fact]
    public void A_time_of_day_is_local_time_so_it_moves_in_UTC_across_a_DST_change()
    {
        // Europe/London moves from GMT to BST at 01:00 UTC on 29 March 2026.
        var schedule = At(["09:00"]);
        var setAt = Utc(3, 27, 12);

        var saturday = CheckInWindows.First(schedule, setAt);
        var sunday = CheckInWindows.Next(schedule, setAt, saturday.DueAt);

        Assert.Equal(Utc(3, 28, 9), saturday.DueAt);
        Assert.Equal(Utc(3, 29, 8), sunday.DueAt);
        Assert.Equal(TimeSpan.FromHours(23), sunday.DueAt - saturday.DueAt);
    }

    [Fact]
    public void A_time_the_spring_forward_change_skips_is_due_once_the_clock_has_moved_on_by_the_gap()
    {
        var schedule = At(["01:30"]);

        var onTheChange = CheckInWindows.Next(schedule, Utc(3, 27, 12), Utc(3, 28, 1, 30));

        // 01:30 GMT does not exist on 29 March: it is 01:30 UTC, which London reads as 02:30 BST.
        Assert.Equal(Utc(3, 29, 1, 30), onTheChange.DueAt);
        Assert.Equal(Utc(3, 30, 0, 30), CheckInWindows.Next(schedule, Utc(3, 27, 12), onTheChange.DueAt).DueAt);
    }

    [Fact]
    public void A_time_the_fall_back_change_repeats_is_due_once_at_its_first_occurrence()
    {
        // Europe/London moves from BST to GMT at 01:00 UTC on 25 October 2026: 01:30 local happens twice.
        var schedule = At(["01:30"]);
        var setAt = Utc(10, 23, 12);

        var saturday = CheckInWindows.First(schedule, setAt);
        var sunday = CheckInWindows.Next(schedule, setAt, saturday.DueAt);
        var monday = CheckInWindows.Next(schedule, setAt, sunday.DueAt);

        Assert.Equal(Utc(10, 24, 0, 30), saturday.DueAt);
        Assert.Equal(Utc(10, 25, 0, 30), sunday.DueAt);
        Assert.Equal(Utc(10, 26, 1, 30), monday.DueAt);
    }

    [Fact]
    public void An_interval_counts_elapsed_hours_so_a_DST_change_neither_stretches_nor_shortens_it()
    {
        var setAt = Utc(3, 28, 9);

        var first = CheckInWindows.First(Every(24), setAt);

        Assert.Equal(Utc(3, 29, 9), first.DueAt);
    }

    [Fact]
    public void Each_window_opens_where_the_one_before_closed_so_every_moment_after_SetAt_belongs_to_one_window()
    {
        var schedule = At(["07:00", "12:00", "18:30"], grace: 45, zone: "America/New_York");
        var setAt = Utc(3, 7, 15);

        var windows = new List<CheckInWindow> { CheckInWindows.First(schedule, setAt) };
        for (var i = 0; i < 12; i++)
        {
            windows.Add(CheckInWindows.Next(schedule, setAt, windows[^1].DueAt));
        }

        Assert.Equal(setAt, windows[0].OpensAfter);
        AssertNonEmpty.All(windows.Zip(windows.Skip(1)), pair => Assert.Equal(pair.First.Deadline, pair.Second.OpensAfter));
        AssertNonEmpty.All(windows, w => Assert.Equal(w, CheckInWindows.WindowAt(schedule, setAt, w.DueAt)));
    }

    [Fact]
    public void The_reason_names_the_window_in_the_patients_local_time()
    {
        var schedule = At(["09:00"], grace: 60);
        var window = CheckInWindows.First(schedule, Utc(6, 1, 12));

        Assert.Equal("No check-in due 09:00 Europe/London on 2026-06-02 by 10:00 (grace 60 min).", CheckInWindows.Describe(schedule, window));
    }
}
