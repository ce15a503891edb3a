using System.ComponentModel.DataAnnotations;

namespace HealthFlow.Domain.Alerts;

/// <summary>
/// How long an alert may stay unacknowledged, per severity, before it is escalated. Bound from configuration
/// section <see cref="SectionName"/> (env: <c>Escalation__HighAfter=00:15:00</c>) and validated on start.
/// A severity without a time is never escalated; an empty value switches a default off.
/// </summary>
public sealed class EscalationPolicy : IValidatableObject
{
    public const string SectionName = "Escalation";

    /// <summary>The shortest deadline accepted: tests run with a few seconds.</summary>
    public static readonly TimeSpan MinimumDelay = TimeSpan.FromSeconds(1);

    /// <summary>The longest: a deadline is carried by a chain of ≤ 15-minute delayed messages, and a week is plenty for an alert.</summary>
    public static readonly TimeSpan MaximumDelay = TimeSpan.FromDays(7);

    public TimeSpan? HighAfter { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan? MediumAfter { get; set; } = TimeSpan.FromMinutes(60);

    public TimeSpan? LowMediumAfter { get; set; }

    /// <summary>How long an alert of this severity may stay unacknowledged; null when it is never escalated.</summary>
    public TimeSpan? After(string severity) => severity switch
    {
        Severities.High => HighAfter,
        Severities.Medium => MediumAfter,
        Severities.LowMedium => LowMediumAfter,
        _ => null,
    };

    /// <summary>When an alert of this severity raised at <paramref name="raisedAt"/> is escalated if still open; null for never.</summary>
    public DateTimeOffset? DeadlineFor(string severity, DateTimeOffset raisedAt) => After(severity) is { } after ? raisedAt + after : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, value) in new[] { (nameof(HighAfter), HighAfter), (nameof(MediumAfter), MediumAfter), (nameof(LowMediumAfter), LowMediumAfter) })
        {
            if (value is { } after && (after < MinimumDelay || after > MaximumDelay))
            {
                yield return new ValidationResult($"{name} ({after}) must be from {MinimumDelay} to {MaximumDelay}, or empty for never.", [name]);
            }
        }
    }
}

/// <summary>
/// The delayed message that carries an alert's escalation deadline (a timer, not a stored event). Each leg
/// recomputes the deadline from <see cref="Severity"/> and <see cref="RaisedAt"/> under the current policy, so a
/// changed policy reaches every open alert within one leg; <see cref="DueAt"/> is the deadline when it was sent.
/// At or after the deadline alert-worker decides with <see cref="AlertState.Escalate"/>.
/// </summary>
public sealed record AlertEscalationDue(Guid AlertId, string Severity, DateTimeOffset RaisedAt, DateTimeOffset DueAt);
