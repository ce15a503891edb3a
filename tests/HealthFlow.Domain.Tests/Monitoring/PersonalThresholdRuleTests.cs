using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Monitoring;

namespace HealthFlow.Domain.Tests.Monitoring;

// A value equal to a personal bound does not fire; one step beyond it does. Every vital sign, low and high.
public class PersonalThresholdRuleTests
{
    public static TheoryData<string, decimal, decimal> Edges => new()
    {
        // sign, low, high: a step beyond is one unit, or 0.1 °C
        { MonitoringPlanFields.HeartRate, 50, 110 },
        { MonitoringPlanFields.RespiratoryRate, 10, 24 },
        { MonitoringPlanFields.OxygenSaturation, 90, 99 },
        { MonitoringPlanFields.SystolicBp, 95, 160 },
        { MonitoringPlanFields.Temperature, 35.5m, 37.8m },
    };

    private static decimal Step(string sign) => sign == MonitoringPlanFields.Temperature ? 0.1m : 1m;

    private static PersonalThresholds Bound(string sign, decimal? low, decimal? high, string severity = Severities.Medium)
    {
        var bound = new VitalBound(low, high, severity);
        return sign switch
        {
            MonitoringPlanFields.HeartRate => new PersonalThresholds(HeartRate: bound),
            MonitoringPlanFields.RespiratoryRate => new PersonalThresholds(RespiratoryRate: bound),
            MonitoringPlanFields.OxygenSaturation => new PersonalThresholds(OxygenSaturation: bound),
            MonitoringPlanFields.SystolicBp => new PersonalThresholds(SystolicBp: bound),
            MonitoringPlanFields.Temperature => new PersonalThresholds(Temperature: bound),
            _ => throw new ArgumentOutOfRangeException(nameof(sign)),
        };
    }

    private static VitalSigns With(string sign, decimal value) => sign switch
    {
        MonitoringPlanFields.HeartRate => new VitalSigns(HeartRate: (int)value),
        MonitoringPlanFields.RespiratoryRate => new VitalSigns(RespiratoryRate: (int)value),
        MonitoringPlanFields.OxygenSaturation => new VitalSigns(OxygenSaturation: (int)value),
        MonitoringPlanFields.SystolicBp => new VitalSigns(SystolicBp: (int)value),
        MonitoringPlanFields.Temperature => new VitalSigns(Temperature: value),
        _ => throw new ArgumentOutOfRangeException(nameof(sign)),
    };

    [Theory]
    [MemberData(nameof(Edges))]
    public void A_value_equal_to_either_bound_does_not_fire(string sign, decimal low, decimal high)
    {
        var thresholds = Bound(sign, low, high);

        Assert.Null(PersonalThresholdRule.Evaluate(With(sign, low), thresholds));
        Assert.Null(PersonalThresholdRule.Evaluate(With(sign, high), thresholds));
    }

    [Theory]
    [MemberData(nameof(Edges))]
    public void A_value_below_the_low_fires_with_a_reason_naming_the_sign_the_value_and_the_bound(string sign, decimal low, decimal high)
    {
        var below = low - Step(sign);
        var decision = PersonalThresholdRule.Evaluate(With(sign, below), Bound(sign, low, high, Severities.High))!;

        Assert.Equal((AlertRules.PersonalThreshold, Severities.High), (decision.Rule, decision.Severity));
        Assert.Equal([$"{sign} {below:0.####} below personal low {low:0.####}"], decision.Reasons);
    }

    [Theory]
    [MemberData(nameof(Edges))]
    public void A_value_above_the_high_fires_with_a_reason_naming_the_sign_the_value_and_the_bound(string sign, decimal low, decimal high)
    {
        var above = high + Step(sign);
        var decision = PersonalThresholdRule.Evaluate(With(sign, above), Bound(sign, low, high, Severities.LowMedium))!;

        Assert.Equal((AlertRules.PersonalThreshold, Severities.LowMedium), (decision.Rule, decision.Severity));
        Assert.Equal([$"{sign} {above:0.####} above personal high {high:0.####}"], decision.Reasons);
    }

    [Fact]
    public void A_bound_with_only_a_low_never_fires_high()
    {
        var thresholds = Bound(MonitoringPlanFields.HeartRate, 55, null);

        Assert.Null(PersonalThresholdRule.Evaluate(new VitalSigns(HeartRate: 200), thresholds));
        Assert.NotNull(PersonalThresholdRule.Evaluate(new VitalSigns(HeartRate: 54), thresholds));
    }

    [Fact]
    public void A_sign_not_measured_raises_nothing()
    {
        Assert.Null(PersonalThresholdRule.Evaluate(new VitalSigns(Score: 3), Bound(MonitoringPlanFields.HeartRate, 55, 100)));
    }

    [Fact]
    public void Several_signs_crossed_are_one_decision_at_the_highest_severity_with_every_reason()
    {
        var thresholds = new PersonalThresholds(
            HeartRate: new VitalBound(55, null, Severities.LowMedium),
            SystolicBp: new VitalBound(null, 150, Severities.High));

        var decision = PersonalThresholdRule.Evaluate(new VitalSigns(HeartRate: 50, SystolicBp: 170), thresholds)!;

        Assert.Equal(Severities.High, decision.Severity);
        Assert.Equal(["heartRate 50 below personal low 55", "systolicBp 170 above personal high 150"], decision.Reasons);
    }

    [Fact]
    public void The_evaluator_combines_a_personal_threshold_with_NEWS2_into_one_alert_at_the_highest_severity()
    {
        var plan = new MonitoringPlan(Thresholds: Bound(MonitoringPlanFields.HeartRate, 55, null, Severities.High));

        // heartRate 45 scores 1 on NEWS2 and respiratoryRate 26 scores 3: a low-medium NEWS2 alert, raised to high by the bound.
        var alert = AlertEvaluator.Decide(new VitalSigns(HeartRate: 45, RespiratoryRate: 26), new AlertRulesOptions(), plan)!;

        Assert.Equal(Severities.High, alert.Severity);
        Assert.Equal([AlertRules.PersonalThreshold, AlertRules.News2], alert.Rules);
        Assert.Contains("heartRate 45 below personal low 55", alert.Reasons);
        Assert.Contains("respiratoryRate 26 → 3", alert.Reasons);
    }

    [Theory]
    [InlineData(5, 5, false)]
    [InlineData(5, 6, true)]
    [InlineData(9, 9, false)]
    public void The_plans_score_threshold_replaces_the_global_one(int threshold, int score, bool fires)
    {
        var plan = new MonitoringPlan(Thresholds: new PersonalThresholds(ScoreThreshold: threshold));

        var alert = AlertEvaluator.Decide(new VitalSigns(Score: score), new AlertRulesOptions { ScoreThreshold = 7 }, plan);

        Assert.Equal(fires, alert is not null);
        if (alert is not null)
        {
            Assert.Equal([$"score {score} > {threshold}"], alert.Reasons);
        }
    }

    [Fact]
    public void Without_a_plan_the_evaluator_decides_as_before()
    {
        var vitals = new VitalSigns(Score: 9, HeartRate: 50, OxygenSaturation: 89, OnSupplementalOxygen: false);

        var before = AlertEvaluator.Decide(vitals, new AlertRulesOptions());

        Assert.NotNull(before);
        Assert.Equivalent(before, AlertEvaluator.Decide(vitals, new AlertRulesOptions(), plan: null), strict: true);
        Assert.Equivalent(before, AlertEvaluator.Decide(vitals, new AlertRulesOptions(), MonitoringPlan.Defaults), strict: true);
    }
}
