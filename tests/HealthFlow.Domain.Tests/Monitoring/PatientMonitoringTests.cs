using System.Text.Json;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Monitoring;

namespace HealthFlow.Domain.Tests.Monitoring;

public class PatientMonitoringTests
{
    private static readonly Guid PatientId = Guid.Parse("7d8e9f00-1a2b-4c3d-8e4f-5a6b7c8d9e0f");
    private static readonly DateTimeOffset RegisteredAt = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = RegisteredAt.AddDays(1);

    private static readonly MonitoringPlan Scale2Plan = new(SpO2Scale: new SpO2Scale(2, 88, 92));
    private static readonly MonitoringPlan HeartRatePlan = new(Thresholds: new PersonalThresholds(HeartRate: new VitalBound(55, null, Severities.Medium)));

    private static EventEnvelope Envelope(IDomainEvent e, long version) => new(
        Guid.NewGuid(), StreamId.ForPatient(PatientId).Value, version, EventTypes.Of(e), RegisteredAt,
        JsonSerializer.SerializeToElement(e, e.GetType(), DomainJson.Options),
        new EventMetadata("correlation", null, null, null, null));

    private static IReadOnlyList<EventEnvelope> Stream(params MonitoringPlanSet[] plans) =>
        [Envelope(new PatientRegistered(PatientId, "ada", "Ada Lovelace", RegisteredAt), 1), .. plans.Select((p, i) => Envelope(p, i + 2))];

    private static MonitoringPlanSet Set(int version, MonitoringPlan plan, DateTimeOffset at) =>
        new(PatientId, version, plan, "clinician1", $"plan {version}", at);

    private static SetPlanOutcome.Set Decided(SetPlanOutcome outcome) => Assert.IsType<SetPlanOutcome.Set>(outcome);

    private static IReadOnlyDictionary<string, string[]> Errors(MonitoringPlan plan, string? reason = "COPD, retaining CO2") =>
        Assert.IsType<SetPlanOutcome.Invalid>(PatientMonitoring.From(Stream()).SetPlan(PatientId, plan, reason, "clinician1", null, Now)).Errors;

    [Fact]
    public void A_stream_without_PatientRegistered_is_an_unknown_patient() =>
        Assert.IsType<SetPlanOutcome.UnknownPatient>(PatientMonitoring.Initial.SetPlan(PatientId, Scale2Plan, "reason", "clinician1", null, Now));

    [Fact]
    public void Plans_are_numbered_1_2_3_per_patient_and_the_latest_is_current()
    {
        var first = Decided(PatientMonitoring.From(Stream()).SetPlan(PatientId, Scale2Plan, "  COPD  ", "clinician1", null, Now)).Event;
        var second = Decided(PatientMonitoring.From(Stream(first)).SetPlan(PatientId, HeartRatePlan, "beta blockers", "clinician1", 1, Now.AddHours(1))).Event;
        var state = PatientMonitoring.From(Stream(first, second));

        Assert.Equal((1, 2), (first.Version, second.Version));
        Assert.Equal("COPD", first.Reason);
        Assert.Equal(2, state.CurrentVersion);
        Assert.Same(state.Plans[^1], state.Current);
        Assert.Equal(HeartRatePlan, state.Current!.Plan);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public void An_expected_version_must_be_the_current_one(int expected, bool accepted)
    {
        var outcome = PatientMonitoring.From(Stream()).SetPlan(PatientId, Scale2Plan, "COPD", "clinician1", expected, Now);

        if (accepted)
        {
            Decided(outcome);
        }
        else
        {
            Assert.Equal(0, Assert.IsType<SetPlanOutcome.VersionMismatch>(outcome).Current);
        }
    }

    [Fact]
    public void The_plan_in_force_is_the_latest_set_at_or_before_the_submission()
    {
        var state = PatientMonitoring.From(Stream(Set(1, Scale2Plan, Now), Set(2, HeartRatePlan, Now.AddHours(2))));

        Assert.Null(state.PlanInForceAt(Now.AddTicks(-1)));
        Assert.Equal(1, state.PlanInForceAt(Now)!.Version);
        Assert.Equal(1, state.PlanInForceAt(Now.AddHours(2).AddTicks(-1))!.Version);
        Assert.Equal(2, state.PlanInForceAt(Now.AddHours(2))!.Version);
        Assert.Equal(2, state.PlanInForceAt(Now.AddDays(30))!.Version);
    }

    [Fact]
    public void Events_of_other_types_on_the_patient_stream_are_ignored()
    {
        var other = Envelope(new CareTeamCreated(Guid.NewGuid(), "Ward 7", "admin1", Now), 3);

        var state = PatientMonitoring.From([.. Stream(Set(1, Scale2Plan, Now)), other]);

        Assert.Equal(1, state.CurrentVersion);
    }

    [Fact]
    public void Replaying_the_same_stream_gives_the_same_plan_and_the_same_decision()
    {
        var stream = Stream(Set(1, Scale2Plan, Now), Set(2, HeartRatePlan with { SpO2Scale = new SpO2Scale(2, 88, 92) }, Now.AddHours(1)));
        var vitals = new VitalSigns(HeartRate: 50, OxygenSaturation: 89, OnSupplementalOxygen: false);
        var submittedAt = Now.AddHours(3);

        // Each replay decodes the stored JSON afresh, as alert-worker does on every delivery.
        var decisions = Enumerable.Range(0, 3)
            .Select(_ => PatientMonitoring.From(stream.Reverse()).PlanInForceAt(submittedAt))
            .Select(plan => (plan!.Version, Alert: AlertEvaluator.Decide(vitals, new AlertRulesOptions(), plan.Plan)!))
            .ToList();

        AssertNonEmpty.All(decisions, d => Assert.Equivalent(decisions[0], d, strict: true));
        Assert.Equal(2, decisions[0].Version);
        Assert.Equal(["heartRate 50 below personal low 55"], decisions[0].Alert.Reasons);
    }

    [Fact]
    public void The_event_round_trips_through_the_stored_JSON_with_enums_and_names_as_written()
    {
        var set = Set(1, new MonitoringPlan(
            new CheckInSchedule(null, ["08:00", "20:00"], "Europe/London", 60),
            new SpO2Scale(2, 88, 92),
            new PersonalThresholds(HeartRate: new VitalBound(55, 110, Severities.High), ScoreThreshold: 6)), Now);

        var json = JsonSerializer.SerializeToElement(set, DomainJson.Options);
        var back = json.Deserialize<MonitoringPlanSet>(DomainJson.Options)!;

        Assert.Equal(2, json.GetProperty("plan").GetProperty("spO2Scale").GetProperty("scale").GetInt32());
        Assert.Equal("high", json.GetProperty("plan").GetProperty("thresholds").GetProperty("heartRate").GetProperty("severity").GetString());
        Assert.Equal(set.Plan.Schedule!.TimesOfDay, back.Plan.Schedule!.TimesOfDay);
        Assert.Equal(set with { Plan = back.Plan }, back);
        Assert.Equal(set.Plan.Thresholds, back.Plan.Thresholds);
    }

    [Fact]
    public void Scale_2_without_a_target_range_records_the_RCP_default_88_to_92()
    {
        var set = Decided(PatientMonitoring.From(Stream()).SetPlan(PatientId, new MonitoringPlan(SpO2Scale: new SpO2Scale(2)), "COPD", "clinician1", null, Now)).Event;

        Assert.Equal(new SpO2Scale(2, 88, 92), set.Plan.SpO2Scale);
    }

    [Fact]
    public void Times_of_day_are_stored_in_order()
    {
        var plan = new MonitoringPlan(new CheckInSchedule(null, ["20:00", "08:00"], "Europe/London", 30));

        var set = Decided(PatientMonitoring.From(Stream()).SetPlan(PatientId, plan, "twice daily", "clinician1", null, Now)).Event;

        Assert.Equal(["08:00", "20:00"], set.Plan.Schedule!.TimesOfDay);
    }

    public static TheoryData<MonitoringPlan, string> InvalidPlans => new()
    {
        { new MonitoringPlan(new CheckInSchedule(0, null, "Europe/London")), "schedule.everyHours" },
        { new MonitoringPlan(new CheckInSchedule(169, null, "Europe/London")), "schedule.everyHours" },
        { new MonitoringPlan(new CheckInSchedule(null, null, "Europe/London")), "schedule.everyHours" },
        { new MonitoringPlan(new CheckInSchedule(4, ["08:00"], "Europe/London")), "schedule.everyHours" },
        { new MonitoringPlan(new CheckInSchedule(null, ["8am"], "Europe/London")), "schedule.timesOfDay" },
        { new MonitoringPlan(new CheckInSchedule(null, ["08:00", "08:00"], "Europe/London")), "schedule.timesOfDay" },
        { new MonitoringPlan(new CheckInSchedule(null, [], "Europe/London")), "schedule.timesOfDay" },
        { new MonitoringPlan(new CheckInSchedule(4, null, "Mars/Olympus_Mons")), "schedule.timeZone" },
        { new MonitoringPlan(new CheckInSchedule(4, null, "")), "schedule.timeZone" },
        { new MonitoringPlan(new CheckInSchedule(4, null, "Europe/London", 240)), "schedule.graceMinutes" },
        { new MonitoringPlan(new CheckInSchedule(null, ["08:00", "09:00"], "Europe/London", 60)), "schedule.graceMinutes" },
        { new MonitoringPlan(new CheckInSchedule(4, null, "Europe/London", -1)), "schedule.graceMinutes" },
        { new MonitoringPlan(SpO2Scale: new SpO2Scale(3)), "spO2Scale.scale" },
        { new MonitoringPlan(SpO2Scale: new SpO2Scale(1, 88, 92)), "spO2Scale.targetLow" },
        { new MonitoringPlan(SpO2Scale: new SpO2Scale(2, 79, 92)), "spO2Scale.targetLow" },
        { new MonitoringPlan(SpO2Scale: new SpO2Scale(2, 88, 101)), "spO2Scale.targetHigh" },
        { new MonitoringPlan(SpO2Scale: new SpO2Scale(2, 92, 92)), "spO2Scale.targetLow" },
        { new MonitoringPlan(Thresholds: new PersonalThresholds(HeartRate: new VitalBound(120, 60, Severities.High))), "thresholds.heartRate.low" },
        { new MonitoringPlan(Thresholds: new PersonalThresholds(HeartRate: new VitalBound(10, null, Severities.High))), "thresholds.heartRate.low" },
        { new MonitoringPlan(Thresholds: new PersonalThresholds(HeartRate: new VitalBound(50.5m, null, Severities.High))), "thresholds.heartRate.low" },
        { new MonitoringPlan(Thresholds: new PersonalThresholds(RespiratoryRate: new VitalBound(null, 81, Severities.High))), "thresholds.respiratoryRate.high" },
        { new MonitoringPlan(Thresholds: new PersonalThresholds(OxygenSaturation: new VitalBound(null, null, Severities.High))), "thresholds.oxygenSaturation" },
        { new MonitoringPlan(Thresholds: new PersonalThresholds(SystolicBp: new VitalBound(90, null, "urgent"))), "thresholds.systolicBp.severity" },
        { new MonitoringPlan(Thresholds: new PersonalThresholds(Temperature: new VitalBound(38m, 37.5m, Severities.Medium))), "thresholds.temperature.low" },
        { new MonitoringPlan(Thresholds: new PersonalThresholds(ScoreThreshold: 11)), "thresholds.scoreThreshold" },
    };

    [Theory]
    [MemberData(nameof(InvalidPlans))]
    public void An_invalid_plan_is_refused_naming_the_field(MonitoringPlan plan, string field)
    {
        var errors = Errors(plan);

        Assert.True(errors.ContainsKey(field), $"expected {field}, got {string.Join(", ", errors.Keys)}");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    public void A_plan_without_a_reason_is_refused_naming_the_reason(string? reason) =>
        Assert.True(Errors(Scale2Plan, reason).ContainsKey(MonitoringPlanFields.Reason));

    [Fact]
    public void Temperature_bounds_take_decimals_and_a_valid_schedule_passes()
    {
        var plan = new MonitoringPlan(
            new CheckInSchedule(6, null, "America/New_York", 60),
            Thresholds: new PersonalThresholds(Temperature: new VitalBound(35.5m, 37.8m, Severities.Medium)));

        Decided(PatientMonitoring.From(Stream()).SetPlan(PatientId, plan, "post-op", "clinician1", null, Now));
    }
}
