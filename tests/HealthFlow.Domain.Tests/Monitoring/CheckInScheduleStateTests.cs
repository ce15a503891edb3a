using System.Text.Json;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Monitoring;

namespace HealthFlow.Domain.Tests.Monitoring;

public class CheckInScheduleStateTests
{
    private static readonly Guid PatientId = Guid.Parse("2b4c6d8e-0f1a-4b2c-9d3e-4f5a6b7c8d9e");
    private static readonly DateTimeOffset SetAt = new(2026, 5, 4, 9, 0, 0, TimeSpan.Zero);

    // Every 4 hours from 09:00 with 30 minutes' grace: the first window is (09:00, 13:30], due 13:00.
    private static readonly CheckInSchedule Schedule = new(4, null, "Europe/London", 30);
    private static readonly CheckInWindow First = CheckInWindows.First(Schedule, SetAt);
    private static readonly CheckInWindow Second = CheckInWindows.Next(Schedule, SetAt, First.DueAt);

    private static CheckInScheduleState Fold(params IDomainEvent[] events) =>
        events.Select((e, i) => new EventEnvelope(
                Guid.NewGuid(), StreamId.ForSchedule(PatientId).Value, i + 1, EventTypes.Of(e), SetAt,
                JsonSerializer.SerializeToElement(e, e.GetType(), DomainJson.Options),
                new EventMetadata("correlation", null, null, null, null)))
            .Aggregate(CheckInScheduleState.Initial, CheckInScheduleState.Evolve);

    private static CheckInReceived CheckIn(DateTimeOffset at) => new(PatientId, Guid.NewGuid(), at);

    private static CheckInWindowMissed Missed(CheckInWindow window) => Assert.IsType<DeadlineOutcome.Missed>(
        CheckInScheduleState.Initial.Decide(PatientId, 1, window, window.Deadline)).Event;

    [Fact]
    public void Before_its_deadline_a_window_is_not_decided()
    {
        var outcome = CheckInScheduleState.Initial.Decide(PatientId, 1, First, First.Deadline.AddTicks(-1));

        Assert.Equal(new DeadlineOutcome.NotDueYet(First.Deadline), outcome);
    }

    [Fact]
    public void At_its_deadline_a_window_without_a_check_in_is_missed_under_the_alert_id_of_the_patient_and_due_time()
    {
        var outcome = CheckInScheduleState.Initial.Decide(PatientId, 3, First, First.Deadline);

        var missed = Assert.IsType<DeadlineOutcome.Missed>(outcome).Event;
        Assert.Equal(new CheckInWindowMissed(PatientId, AlertId.ForMissedCheckIn(PatientId, First.DueAt), 3, First.DueAt, First.Deadline, First.Deadline), missed);
    }

    [Fact]
    public void A_check_in_submitted_exactly_at_the_deadline_satisfies_the_window()
    {
        var onTime = CheckIn(First.Deadline);

        Assert.Equal(new DeadlineOutcome.Satisfied(onTime), Fold(onTime).Decide(PatientId, 1, First, First.Deadline.AddMinutes(1)));
    }

    [Fact]
    public void A_check_in_before_the_window_opened_or_after_its_deadline_does_not_satisfy_it()
    {
        var state = Fold(CheckIn(SetAt), CheckIn(First.Deadline.AddTicks(1)));

        Assert.IsType<DeadlineOutcome.Missed>(state.Decide(PatientId, 1, First, First.Deadline.AddMinutes(1)));
    }

    [Fact]
    public void A_window_recorded_missed_is_not_missed_again_by_a_redelivered_deadline()
    {
        var missed = Missed(First);

        Assert.Equal(new DeadlineOutcome.AlreadyMissed(missed), Fold(missed).Decide(PatientId, 1, First, First.Deadline.AddHours(1)));
    }

    [Fact]
    public void A_check_in_closes_every_missed_window_still_open_and_no_later_one()
    {
        var first = Missed(First);
        var second = Missed(Second);
        var checkIn = CheckIn(Second.Deadline.AddMinutes(5));
        var third = Missed(CheckInWindows.Next(Schedule, SetAt, Second.DueAt));

        var before = Fold(first, second);
        var after = Fold(first, second, checkIn, third);

        Assert.Equal([first, second], Assert.IsType<ReceiveOutcome.Record>(before.Receive(PatientId, checkIn.ObservationId, checkIn.SubmittedAt)).Closes);
        Assert.Equal([third], after.Open);
        Assert.Equal(checkIn, after.ClosedBy(First.DueAt));
        Assert.Equal(checkIn, after.ClosedBy(Second.DueAt));
        Assert.Null(after.ClosedBy(third.DueAt));
        Assert.Equal(4, after.Version);
    }

    [Fact]
    public void A_redelivered_check_in_is_recorded_once_and_closes_again_what_its_first_delivery_closed()
    {
        var missed = Missed(First);
        var checkIn = CheckIn(First.Deadline.AddMinutes(5));
        var state = Fold(missed, checkIn, Missed(Second));

        var outcome = state.Receive(PatientId, checkIn.ObservationId, checkIn.SubmittedAt);

        Assert.Equal([missed], Assert.IsType<ReceiveOutcome.AlreadyRecorded>(outcome).Closes);
    }

    [Fact]
    public void A_missed_window_raises_an_alert_without_an_observation_naming_its_due_time_and_plan()
    {
        var missed = Missed(First);

        var alert = CheckInScheduleState.AlertFor(missed, Severities.LowMedium, "No check-in");

        Assert.Equal(
            (missed.AlertId, (Guid?)null, AlertRules.CheckInMissed, Severities.LowMedium, (int?)1, (DateTimeOffset?)First.DueAt, missed.DecidedAt),
            (alert.AlertId, alert.ObservationId, alert.Rule, alert.Severity, alert.PlanVersion, alert.MissedDueAt, alert.RaisedAt));
        Assert.Equal([AlertRules.CheckInMissed], alert.AllRules);
    }

    [Fact]
    public void Missed_check_in_alert_ids_are_stable_per_patient_and_due_time_and_never_an_observations()
    {
        var id = AlertId.ForMissedCheckIn(PatientId, First.DueAt);

        Assert.Equal(id, AlertId.ForMissedCheckIn(PatientId, First.DueAt.ToOffset(TimeSpan.FromHours(1))));
        Assert.NotEqual(id, AlertId.ForMissedCheckIn(PatientId, Second.DueAt));
        Assert.NotEqual(id, AlertId.ForMissedCheckIn(Guid.NewGuid(), First.DueAt));
        Assert.NotEqual(id, AlertId.For(PatientId));
    }
}
