using System.Globalization;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Monitoring;

namespace HealthFlow.Domain.Alerts;

/// <summary>
/// The patient's own bounds from their monitoring plan: each vital sign strictly below its low or strictly above its
/// high raises the bound's severity (a value equal to a bound does not). One decision for all the signs crossed,
/// at the highest of their severities, with one reason each, e.g. "heartRate 48 below personal low 50".
/// </summary>
public static class PersonalThresholdRule
{
    public static AlertDecision? Evaluate(VitalSigns vitals, PersonalThresholds? thresholds)
    {
        ArgumentNullException.ThrowIfNull(vitals);
        if (thresholds is null)
        {
            return null;
        }

        var crossed = new List<(string Severity, string Reason)>();
        foreach (var (sign, bound) in thresholds.Bounds())
        {
            if (ValueOf(vitals, sign) is not { } value)
            {
                continue;
            }

            if (bound.Low is { } low && value < low)
            {
                crossed.Add((bound.Severity, $"{sign} {Format(value)} below personal low {Format(low)}"));
            }
            else if (bound.High is { } high && value > high)
            {
                crossed.Add((bound.Severity, $"{sign} {Format(value)} above personal high {Format(high)}"));
            }
        }

        return crossed.Count == 0
            ? null
            : new AlertDecision(
                AlertRules.PersonalThreshold,
                crossed.MinBy(c => Severities.Rank(c.Severity)).Severity,
                [.. crossed.Select(c => c.Reason)],
                Score: null,
                News2: null,
                Partial: false);
    }

    private static decimal? ValueOf(VitalSigns vitals, string sign) => sign switch
    {
        MonitoringPlanFields.HeartRate => vitals.HeartRate,
        MonitoringPlanFields.RespiratoryRate => vitals.RespiratoryRate,
        MonitoringPlanFields.OxygenSaturation => vitals.OxygenSaturation,
        MonitoringPlanFields.SystolicBp => vitals.SystolicBp,
        MonitoringPlanFields.Temperature => vitals.Temperature,
        _ => throw new ArgumentOutOfRangeException(nameof(sign), sign, "Not a vital sign with personal bounds."),
    };

    /// <summary>A bound or a value as written ("37.5", "50"), without the trailing zeros a decimal may carry from JSON.</summary>
    public static string Format(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
