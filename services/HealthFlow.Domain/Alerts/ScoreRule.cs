using HealthFlow.Domain.Events;

namespace HealthFlow.Domain.Alerts;

/// <summary>The original system's rule: a symptom score above the threshold raises a medium alert.</summary>
public static class ScoreRule
{
    public static AlertDecision? Evaluate(VitalSigns vitals, AlertRulesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Evaluate(vitals, options.ScoreThreshold);
    }

    /// <param name="threshold">The global threshold, or the patient's own where their monitoring plan sets one.</param>
    public static AlertDecision? Evaluate(VitalSigns vitals, int threshold)
    {
        ArgumentNullException.ThrowIfNull(vitals);

        return vitals.Score is { } score && score > threshold
            ? new AlertDecision(
                AlertRules.ScoreThreshold,
                Severities.Medium,
                [$"score {score} > {threshold}"],
                Score: score,
                News2: null,
                Partial: false)
            : null;
    }
}
