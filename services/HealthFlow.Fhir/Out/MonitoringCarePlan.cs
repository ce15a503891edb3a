using System.Globalization;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Monitoring;
using HealthFlow.ReadModels;
using Hl7.Fhir.Model;

namespace HealthFlow.Fhir.Out;

/// <summary>
/// A patient's monitoring plan as a FHIR CarePlan with a Goal per target. The CarePlan carries the prescription (its
/// reason, who set it and when, the plan version as meta.versionId) and the check-in schedule as one activity's
/// scheduledTiming; each target is a Goal the CarePlan names: the SpO2 range prescribed with scale 2, each personal
/// bound of a vital sign, the personal symptom-score threshold. A Goal's range is what is fine for the patient, so a
/// bound that fires below 55 is a range from 55. One CarePlan per patient (the plan in force): its versions are
/// the plan's.
/// </summary>
public static class MonitoringCarePlan
{
    public const string CheckInActivity = "check-in";
    public const string CheckInActivityDisplay = "Home check-in (symptom score and vital signs)";

    public static string IdFor(Guid patientId) => $"{patientId:D}-monitoring-plan";

    public static string GoalIdFor(Guid patientId, string slug) => $"{patientId:D}-goal-{slug}";

    /// <summary>The CarePlan, then its Goals.</summary>
    public static IReadOnlyList<Resource> From(MonitoringPlanView plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var patient = new ResourceReference($"Patient/{plan.PatientId:D}");
        var goals = Goals(plan, patient).ToList();
        var goalReferences = goals.Select(g => new ResourceReference($"Goal/{g.Id}")).ToList();
        var carePlan = new CarePlan
        {
            Id = IdFor(plan.PatientId),
            Meta = new Meta { VersionId = plan.Version.ToString(CultureInfo.InvariantCulture), LastUpdated = plan.SetAt },
            Status = RequestStatus.Active,
            Intent = CarePlan.CarePlanIntent.Plan,
            Title = "Remote monitoring plan",
            Description = plan.Reason,
            Subject = patient,
            CreatedElement = new FhirDateTime(plan.SetAt),
            Author = new ResourceReference { Display = plan.SetBy },
            Goal = goalReferences,
        };
        if (plan.Plan.Schedule is { } schedule)
        {
            carePlan.Activity.Add(new CarePlan.ActivityComponent
            {
                Detail = new CarePlan.DetailComponent
                {
                    Code = new CodeableConcept(CodeSystems.HealthFlow, CheckInActivity, CheckInActivityDisplay, CheckInActivityDisplay),
                    Status = CarePlan.CarePlanActivityStatus.Scheduled,
                    Scheduled = Timing(schedule),
                    // Timing has no time zone or lateness: the description says both.
                    Description = Describe(schedule),
                    Goal = goalReferences,
                },
            });
        }

        return [carePlan, .. goals];
    }

    private static Timing Timing(CheckInSchedule schedule) => new()
    {
        Repeat = schedule.EveryHours is { } hours
            ? new Timing.RepeatComponent { Frequency = 1, Period = hours, PeriodUnit = Hl7.Fhir.Model.Timing.UnitsOfTime.H }
            : new Timing.RepeatComponent
            {
                Frequency = 1,
                Period = 1,
                PeriodUnit = Hl7.Fhir.Model.Timing.UnitsOfTime.D,
                TimeOfDayElement = [.. schedule.LocalTimes().Select(t => new Time(t.ToString("HH:mm:ss", CultureInfo.InvariantCulture)))],
            },
    };

    private static string Describe(CheckInSchedule schedule)
    {
        var when = schedule.EveryHours is { } hours
            ? $"every {hours} hours"
            : $"daily at {string.Join(", ", schedule.LocalTimes().Select(t => t.ToString(MonitoringPlanLimits.TimeOfDayFormat, CultureInfo.InvariantCulture)))}";
        return $"Check in {when} ({schedule.TimeZone}), up to {schedule.GraceMinutes} minutes late.";
    }

    private static IEnumerable<Goal> Goals(MonitoringPlanView plan, ResourceReference patient)
    {
        if (plan.Plan.SpO2Scale is { IsScale2: true, TargetLow: { } low, TargetHigh: { } high })
        {
            yield return Goal(plan, patient, "spo2-target", $"SpO2 {low}-{high} % (NEWS2 SpO2 scale 2, hypercapnic respiratory failure)",
                VitalSignCodes.OxygenSaturation, low, high);
        }

        if (plan.Plan.Thresholds is not { } thresholds)
        {
            yield break;
        }

        foreach (var (sign, bound) in thresholds.Bounds())
        {
            var code = VitalSignCodes.Single.Concat(VitalSignCodes.BloodPressureComponents).Single(c => c.Field == sign);
            var range = (bound.Low, bound.High) switch
            {
                ({ } l, { } h) => $"{PersonalThresholdRule.Format(l)}-{PersonalThresholdRule.Format(h)}",
                ({ } l, null) => $"{PersonalThresholdRule.Format(l)} or above",
                (null, { } h) => $"{PersonalThresholdRule.Format(h)} or below",
                _ => "",
            };
            yield return Goal(plan, patient, code.Slug == "blood-pressure" ? "systolic-bp" : code.Slug,
                $"{code.Display} {range} {code.UnitDisplay}; outside raises a {bound.Severity} alert", code, bound.Low, bound.High);
        }

        if (thresholds.ScoreThreshold is { } score)
        {
            var goal = NewGoal(plan, patient, CheckInCodes.SymptomScore, $"Symptom score {score} or below; above raises a medium alert");
            goal.Target.Add(new Goal.TargetComponent
            {
                Measure = new CodeableConcept(CodeSystems.HealthFlow, CheckInCodes.SymptomScore, CheckInCodes.SymptomScoreDisplay, CheckInCodes.SymptomScoreDisplay),
                Detail = new Hl7.Fhir.Model.Range { High = Quantity(score, "{score}", "score") },
            });
            yield return goal;
        }
    }

    private static Goal Goal(MonitoringPlanView plan, ResourceReference patient, string slug, string text, VitalSignCode code, decimal? low, decimal? high)
    {
        var goal = NewGoal(plan, patient, slug, text);
        goal.Target.Add(new Goal.TargetComponent
        {
            Measure = new CodeableConcept(CodeSystems.Loinc, code.Code, code.Display, code.Display),
            Detail = new Hl7.Fhir.Model.Range
            {
                Low = low is { } l ? Quantity(l, code.Unit, code.UnitDisplay) : null,
                High = high is { } h ? Quantity(h, code.Unit, code.UnitDisplay) : null,
            },
        });
        return goal;
    }

    private static Goal NewGoal(MonitoringPlanView plan, ResourceReference patient, string slug, string text) => new()
    {
        Id = GoalIdFor(plan.PatientId, slug),
        Meta = new Meta { VersionId = plan.Version.ToString(CultureInfo.InvariantCulture), LastUpdated = plan.SetAt },
        LifecycleStatus = Hl7.Fhir.Model.Goal.GoalLifecycleStatus.Active,
        Description = new CodeableConcept { Text = text },
        Subject = patient,
        Start = new Date(plan.SetAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
    };

    private static Quantity Quantity(decimal value, string ucum, string unit) =>
        new() { Value = value, Unit = unit, System = CodeSystems.Ucum, Code = ucum };
}
