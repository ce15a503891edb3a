using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Monitoring;
using HealthFlow.Fhir.Out;
using HealthFlow.ReadModels;
using Hl7.Fhir.Model;

namespace HealthFlow.Fhir.Tests;

[Collection(FhirValidationCollection.Name)]
public sealed class MonitoringCarePlanTests(ProfileValidator validator)
{
    private static readonly Guid PatientId = Guid.Parse("0f7d3c52-8a1e-4b6a-9d55-3c2b1a0e9f11");
    private static readonly DateTimeOffset SetAt = new(2026, 11, 30, 8, 30, 0, TimeSpan.Zero);

    private static MonitoringPlanView View(MonitoringPlan plan, int version = 3) =>
        new(PatientId, version, plan, "clinician1", "COPD with CO2 retention; on bisoprolol.", SetAt);

    private static readonly MonitoringPlan Full = new(
        new CheckInSchedule(null, ["08:00", "20:00"], "Europe/London", 60),
        new SpO2Scale(2, 88, 92),
        new PersonalThresholds(
            HeartRate: new VitalBound(55, null, Severities.Medium),
            SystolicBp: new VitalBound(95, 160, Severities.High),
            Temperature: new VitalBound(null, 37.8m, Severities.LowMedium),
            ScoreThreshold: 6));

    [Fact]
    public void A_full_plan_is_a_valid_CarePlan_naming_a_valid_Goal_for_every_target()
    {
        var resources = MonitoringCarePlan.From(View(Full));

        var carePlan = Assert.IsType<CarePlan>(resources[0]);
        var goals = resources.Skip(1).Cast<Goal>().ToList();
        Assert.Equal(
            ["spo2-target", "heart-rate", "systolic-bp", "temperature", "symptom-score"],
            goals.Select(g => g.Id![(PatientId.ToString().Length + "-goal-".Length)..]));
        Assert.Equal(goals.Select(g => $"Goal/{g.Id}"), carePlan.Goal.Select(r => r.Reference));
        Assert.Equal(("3", "Patient/" + PatientId, "clinician1"), (carePlan.Meta!.VersionId, carePlan.Subject!.Reference, carePlan.Author!.Display));
        AssertNonEmpty.All(resources, validator.AssertValid);
    }

    [Fact]
    public void The_schedule_is_the_activitys_scheduled_timing_with_the_time_zone_and_grace_in_its_description()
    {
        var detail = Assert.Single(Assert.IsType<CarePlan>(MonitoringCarePlan.From(View(Full))[0]).Activity).Detail!;

        var timing = Assert.IsType<Timing>(detail.Scheduled);
        Assert.Equal(["08:00:00", "20:00:00"], timing.Repeat!.TimeOfDay);
        Assert.Equal("Check in daily at 08:00, 20:00 (Europe/London), up to 60 minutes late.", detail.Description);

        var everySix = Assert.IsType<Timing>(Assert.Single(Assert.IsType<CarePlan>(
            MonitoringCarePlan.From(View(Full with { Schedule = new CheckInSchedule(6, null, "UTC") }))[0]).Activity).Detail!.Scheduled);
        Assert.Equal((1, 6m, Timing.UnitsOfTime.H), (everySix.Repeat!.Frequency, everySix.Repeat.Period, everySix.Repeat.PeriodUnit));
    }

    [Fact]
    public void A_goal_range_is_what_is_fine_for_the_patient_in_the_vital_signs_LOINC_code_and_UCUM_unit()
    {
        var goals = MonitoringCarePlan.From(View(Full)).OfType<Goal>().ToDictionary(g => g.Id!);

        var heartRate = Assert.Single(goals[MonitoringCarePlan.GoalIdFor(PatientId, "heart-rate")].Target);
        var range = Assert.IsType<Hl7.Fhir.Model.Range>(heartRate.Detail);
        Assert.Equal(("8867-4", 55m, "/min", null), (heartRate.Measure!.Coding[0].Code, range.Low!.Value, range.Low.Code, range.High));
        var spo2 = Assert.IsType<Hl7.Fhir.Model.Range>(Assert.Single(goals[MonitoringCarePlan.GoalIdFor(PatientId, "spo2-target")].Target).Detail);
        Assert.Equal((88m, 92m, "%"), (spo2.Low!.Value, spo2.High!.Value, spo2.High.Code));
    }

    [Fact]
    public void A_plan_without_targets_or_schedule_is_a_CarePlan_alone()
    {
        var resources = MonitoringCarePlan.From(View(new MonitoringPlan(SpO2Scale: new SpO2Scale(1)), version: 1));

        var carePlan = Assert.IsType<CarePlan>(Assert.Single(resources));
        Assert.Empty(carePlan.Activity);
        Assert.Empty(carePlan.Goal);
        validator.AssertValid(carePlan);
    }
}
