using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;

namespace HealthFlow.Domain.Tests;

public class AlertEvaluatorTests
{
    private static readonly AlertRulesOptions Defaults = new();

    private static readonly VitalSigns Normal = new(
        RespiratoryRate: 16, OxygenSaturation: 98, OnSupplementalOxygen: false, SystolicBp: 120,
        HeartRate: 70, Consciousness: Consciousness.Alert, Temperature: 37.0m);

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void Score_at_or_below_the_default_threshold_raises_nothing(int score) =>
        Assert.Empty(AlertEvaluator.Evaluate(new VitalSigns(Score: score), Defaults));

    [Theory]
    [InlineData(8)]
    [InlineData(10)]
    public void Score_above_the_default_threshold_raises_a_medium_score_alert(int score)
    {
        var decision = Assert.Single(AlertEvaluator.Evaluate(new VitalSigns(Score: score), Defaults));

        Assert.Equal(new AlertDecision(AlertRules.ScoreThreshold, Severities.Medium, decision.Reasons, score, null, false), decision);
        Assert.Equal([$"score {score} > 7"], decision.Reasons);
    }

    [Theory]
    [InlineData(5, 5, false)]
    [InlineData(5, 6, true)]
    [InlineData(9, 9, false)]
    [InlineData(9, 10, true)]
    [InlineData(10, 10, false)]
    public void Score_threshold_is_configurable(int threshold, int score, bool raises)
    {
        var decisions = AlertEvaluator.Evaluate(new VitalSigns(Score: score), new AlertRulesOptions { ScoreThreshold = threshold });

        Assert.Equal(raises, decisions.Count == 1);
        if (raises)
        {
            Assert.Equal([$"score {score} > {threshold}"], decisions[0].Reasons);
        }
    }

    [Fact]
    public void Normal_vital_signs_with_a_low_score_raise_nothing() =>
        Assert.Empty(AlertEvaluator.Evaluate(Normal with { Score = 3 }, Defaults));

    [Fact]
    public void High_NEWS2_raises_a_news2_alert_with_its_total_and_reasons()
    {
        var vitals = Normal with { RespiratoryRate = 26, OnSupplementalOxygen = true, HeartRate = 115 };

        var decision = Assert.Single(AlertEvaluator.Evaluate(vitals, Defaults));

        Assert.Equal(AlertRules.News2, decision.Rule);
        Assert.Equal(Severities.High, decision.Severity);
        Assert.Equal(7, decision.News2);
        Assert.Null(decision.Score);
        Assert.False(decision.Partial);
        Assert.Equal(["respiratoryRate 26 → 3", "onSupplementalOxygen true → 2", "heartRate 115 → 2"], decision.Reasons);
    }

    [Fact]
    public void A_high_score_and_a_high_NEWS2_are_each_judged_by_their_own_rule()
    {
        var vitals = Normal with { Score = 9, SystolicBp = 85, Consciousness = Consciousness.Voice, HeartRate = 135 };

        var decisions = AlertEvaluator.Evaluate(vitals, Defaults);

        Assert.Equal([AlertRules.ScoreThreshold, AlertRules.News2], decisions.Select(d => d.Rule));
        Assert.Equal([Severities.Medium, Severities.High], decisions.Select(d => d.Severity));
        Assert.Equal(9, decisions[0].Score);
        Assert.Equal(9, decisions[1].News2);
    }

    [Fact]
    public void A_partial_NEWS2_alert_is_marked_and_says_what_was_not_measured()
    {
        var decision = Assert.Single(AlertEvaluator.Evaluate(new VitalSigns(HeartRate: 38, OxygenSaturation: 97), Defaults));

        Assert.True(decision.Partial);
        Assert.Equal(Severities.LowMedium, decision.Severity);
        Assert.Equal(3, decision.News2);
        Assert.Equal(
            ["heartRate 38 → 3", "partial: respiratoryRate, onSupplementalOxygen, systolicBp, consciousness, temperature not measured"],
            decision.Reasons);
    }

    [Fact]
    public void A_NEWS2_of_1_to_4_without_a_red_score_raises_nothing() =>
        Assert.Empty(AlertEvaluator.Evaluate(Normal with { RespiratoryRate = 22, HeartRate = 115 }, Defaults));

    [Fact]
    public void A_check_in_that_trips_both_rules_raises_one_alert_with_the_higher_severity_and_every_reason()
    {
        var vitals = Normal with { Score = 9, SystolicBp = 85, Consciousness = Consciousness.Voice, HeartRate = 135 };

        var alert = AlertEvaluator.Decide(vitals, Defaults);

        Assert.NotNull(alert);
        Assert.Equal(Severities.High, alert.Severity);
        Assert.Equal([AlertRules.News2, AlertRules.ScoreThreshold], alert.Rules);
        Assert.Equal(AlertRules.News2, alert.Rule);
        Assert.Equal((9, 9), (alert.Score, alert.News2));
        Assert.Equal(["systolicBp 85 → 3", "heartRate 135 → 3", "consciousness voice → 3", "score 9 > 7"], alert.Reasons);
    }

    [Fact]
    public void When_both_rules_give_the_same_severity_NEWS2_leads()
    {
        var vitals = Normal with { Score = 9, RespiratoryRate = 22, HeartRate = 115, Temperature = 38.5m };

        var alert = AlertEvaluator.Decide(vitals, Defaults);

        Assert.NotNull(alert);
        Assert.Equal(Severities.Medium, alert.Severity);
        Assert.Equal([AlertRules.News2, AlertRules.ScoreThreshold], alert.Rules);
    }

    [Fact]
    public void A_single_rule_alert_names_that_rule_alone()
    {
        var alert = AlertEvaluator.Decide(new VitalSigns(Score: 8), Defaults);

        Assert.NotNull(alert);
        Assert.Equal((Severities.Medium, AlertRules.ScoreThreshold), (alert.Severity, alert.Rule));
        Assert.Equal([AlertRules.ScoreThreshold], alert.Rules);
    }

    [Fact]
    public void A_check_in_that_trips_no_rule_raises_no_alert() =>
        Assert.Null(AlertEvaluator.Decide(Normal with { Score = 3 }, Defaults));
}
