using HealthFlow.Domain.Events;

namespace HealthFlow.Domain.Alerts;

/// <summary>The original system's rule: a symptom score above the threshold raises a medium alert.</summary>
public static class ScoreRule
{
    public static AlertDecision? Evaluate(VitalSigns vitals, AlertRulesOptions options)
    {
        ArgumentNullException.ThrowIfNull(vitals);
        ArgumentNullException.ThrowIfNull(options);

        return vitals.Score is { } score && score > options.ScoreThreshold
            ? new AlertDecision(
                AlertRules.ScoreThreshold,
                Severities.Medium,
                [$"score {score} > {options.ScoreThreshold}"],
                Score: score,
                News2: null,
                Partial: false)
            : null;
    }
}
