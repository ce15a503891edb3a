using HealthFlow.Domain.Events;

namespace HealthFlow.Domain.Alerts;

/// <summary>
/// Runs every alert rule over a check-in. Each rule that fires yields its own decision (and so its own
/// alert, with its own deterministic id); the score rule comes first, then NEWS2.
/// </summary>
public static class AlertEvaluator
{
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
