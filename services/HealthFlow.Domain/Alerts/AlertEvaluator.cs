using HealthFlow.Domain.Events;

namespace HealthFlow.Domain.Alerts;

/// <summary>
/// Runs every alert rule over a check-in. <see cref="Evaluate"/> yields one decision per rule that
/// fires (score rule first, then NEWS2); <see cref="Decide"/> folds them into the one alert the
/// check-in raises, so a reading that trips two rules is one card for the clinician, not two.
/// </summary>
public static class AlertEvaluator
{
    /// <summary>The one alert for a check-in, or null when no rule fires.</summary>
    public static CheckInAlert? Decide(VitalSigns vitals, AlertRulesOptions options)
    {
        var decisions = Evaluate(vitals, options);
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

    public static IReadOnlyList<AlertDecision> Evaluate(VitalSigns vitals, AlertRulesOptions options)
    {
        ArgumentNullException.ThrowIfNull(vitals);
        ArgumentNullException.ThrowIfNull(options);

        var decisions = new List<AlertDecision>(2);

        if (ScoreRule.Evaluate(vitals, options) is { } scoreDecision)
        {
            decisions.Add(scoreDecision);
        }

        var news2 = News2.Calculate(vitals, options);
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

        return decisions;
    }

    // Tells the clinician the total may understate the risk, and why.
    private static string PartialReason(News2Score news2) =>
        $"partial: {string.Join(", ", news2.Missing)} not measured";
}
