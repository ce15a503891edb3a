using System.ComponentModel.DataAnnotations;

namespace HealthFlow.Domain.Alerts;

/// <summary>The names of the alert rules, as stored in <c>AlertRaised.Rule</c>.</summary>
public static class AlertRules
{
    public const string ScoreThreshold = "score-threshold";
    public const string News2 = "news2";

    /// <summary>A vital sign outside the patient's own bounds (their monitoring plan).</summary>
    public const string PersonalThreshold = "personal-threshold";

    /// <summary>No check-in arrived in a window of the patient's check-in schedule (their monitoring plan).</summary>
    public const string CheckInMissed = "check-in-missed";
}

/// <summary>Alert severities, as stored in <c>AlertRaised.Severity</c>, from most to least urgent.</summary>
public static class Severities
{
    public const string High = "high";
    public const string Medium = "medium";
    public const string LowMedium = "low-medium";

    public static readonly IReadOnlyList<string> All = [High, Medium, LowMedium];

    /// <summary>0 for the most urgent; an unknown severity ranks last.</summary>
    public static int Rank(string severity) =>
        Array.IndexOf([High, Medium, LowMedium], severity) is var rank and >= 0 ? rank : All.Count;
}

/// <summary>
/// The alert thresholds, bound from configuration section <see cref="SectionName"/> and validated on start
/// (<c>ValidateDataAnnotations().ValidateOnStart()</c>; the cross-field check runs as IValidatableObject).
/// </summary>
public sealed class AlertRulesOptions : IValidatableObject
{
    public const string SectionName = "AlertRules";

    /// <summary>A score above this raises a medium alert. 10 switches the rule off, since no score exceeds it.</summary>
    [Range(0, 10)]
    public int ScoreThreshold { get; set; } = 7;

    /// <summary>A NEWS2 total at or above this is high severity. 20 is the highest possible total.</summary>
    [Range(1, 20)]
    public int News2HighThreshold { get; set; } = 7;

    /// <summary>A NEWS2 total at or above this (and below the high threshold) is medium severity.</summary>
    [Range(1, 20)]
    public int News2MediumThreshold { get; set; } = 5;

    /// <summary>The severity of a missed check-in alert: one of <see cref="Severities.All"/>.</summary>
    public string CheckInMissedSeverity { get; set; } = Severities.LowMedium;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (News2MediumThreshold > News2HighThreshold)
        {
            yield return new ValidationResult(
                $"{nameof(News2MediumThreshold)} ({News2MediumThreshold}) must not exceed {nameof(News2HighThreshold)} ({News2HighThreshold}).",
                [nameof(News2MediumThreshold), nameof(News2HighThreshold)]);
        }

        if (!Severities.All.Contains(CheckInMissedSeverity))
        {
            yield return new ValidationResult(
                $"{nameof(CheckInMissedSeverity)} ({CheckInMissedSeverity}) must be one of {string.Join(", ", Severities.All)}.",
                [nameof(CheckInMissedSeverity)]);
        }
    }
}

/// <summary>
/// One alert a rule decided to raise for a check-in. Score and News2 carry the value the rule judged
/// (Score for score-threshold, the NEWS2 total for news2); Partial is true when NEWS2 lacked parameters.
/// </summary>
public sealed record AlertDecision(
    string Rule,
    string Severity,
    IReadOnlyList<string> Reasons,
    int? Score,
    int? News2,
    bool Partial);

/// <summary>
/// The one alert a check-in raises: the highest severity of the rules that fired, every rule (the
/// most severe first, which is <see cref="Rule"/>) and every reason.
/// </summary>
public sealed record CheckInAlert(
    string Severity,
    IReadOnlyList<string> Rules,
    IReadOnlyList<string> Reasons,
    int? Score,
    int? News2,
    bool Partial)
{
    public string Rule => Rules[0];
}
