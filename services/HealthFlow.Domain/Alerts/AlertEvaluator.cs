using HealthFlow.Domain.Events;
using HealthFlow.Domain.Monitoring;

namespace HealthFlow.Domain.Alerts;

/// <summary>
/// Runs every alert rule over a check-in. <see cref="Evaluate(VitalSigns, AlertRulesOptions, MonitoringPlan?)"/> yields
/// one decision per rule that fires (score rule, NEWS2, then the patient's personal thresholds); <see cref="Decide(VitalSigns, AlertRulesOptions, MonitoringPlan?)"/>
/// folds them into the one alert the check-in raises, so a reading that trips two rules is one card for the
/// clinician, not two. A monitoring plan changes the rules for its patient only: its score threshold replaces the
/// global one, its SpO2 scale scores NEWS2's oxygen saturation, its bounds add the personal-threshold rule.
/// </summary>
public static class AlertEvaluator
{
    /// <summary>The one alert for a check-in under the global rules, or null when no rule fires.</summary>
    public static CheckInAlert? Decide(VitalSigns vitals, AlertRulesOptions options) => Decide(vitals, options, plan: null);

    /// <summary>The one alert for a check-in under the patient's plan (null: the defaults), or null when no rule fires.</summary>
    public static CheckInAlert? Decide(VitalSigns vitals, AlertRulesOptions options, MonitoringPlan? plan)
    {
        var decisions = Evaluate(vitals, options, plan);
        if (decisions.Count == 0)
        {
            return null;
        }

        // Most severe first; on a tie NEWS2 leads, because its reasons explain more of the picture.
        var ordered = decisions
            .OrderBy(d => Severities.Rank(d.Severity))
            .ThenBy(d => d.Rule == AlertRules.News2 ? 0 : 1)
            .ToList();
        return new CheckInAlert(
            ordered[0].Severity,
            [.. ordered.Select(d => d.Rule)],
            [.. ordered.SelectMany(d => d.Reasons)],
            decisions.Select(d => d.Score).FirstOrDefault(s => s is not null),
            decisions.Select(d => d.News2).FirstOrDefault(n => n is not null),
            decisions.Any(d => d.Partial));
    }

    public static IReadOnlyList<AlertDecision> Evaluate(VitalSigns vitals, AlertRulesOptions options) => Evaluate(vitals, options, plan: null);

    public static IReadOnlyList<AlertDecision> Evaluate(VitalSigns vitals, AlertRulesOptions options, MonitoringPlan? plan)
    {
        ArgumentNullException.ThrowIfNull(vitals);
        ArgumentNullException.ThrowIfNull(options);

        var decisions = new List<AlertDecision>(3);

        if (ScoreRule.Evaluate(vitals, plan?.Thresholds?.ScoreThreshold ?? options.ScoreThreshold) is { } scoreDecision)
        {
            decisions.Add(scoreDecision);
        }

        var news2 = News2.Calculate(vitals, options, plan?.SpO2Scale);
        if (news2.Severity is { } severity)
        {
            decisions.Add(new AlertDecision(
                AlertRules.News2,
                severity,
                news2.IsPartial ? [.. news2.Reasons, PartialReason(news2)] : news2.Reasons,
                Score: null,
                News2: news2.Total,
                Partial: news2.IsPartial));
        }

        if (PersonalThresholdRule.Evaluate(vitals, plan?.Thresholds) is { } personal)
        {
            decisions.Add(personal);
        }

        return decisions;
    }

    // Tells the clinician the total may understate the risk, and why.
    private static string PartialReason(News2Score news2) =>
        $"partial: {string.Join(", ", news2.Missing)} not measured";
}
