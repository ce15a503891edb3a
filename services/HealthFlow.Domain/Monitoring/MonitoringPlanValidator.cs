using System.Globalization;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.CheckIns;
using HealthFlow.Domain.Validation;

namespace HealthFlow.Domain.Monitoring;

/// <summary>The JSON names of a monitoring plan's parts; joined with dots they are the keys of its validation errors.</summary>
public static class MonitoringPlanFields
{
    public const string Schedule = "schedule";
    public const string EveryHours = "everyHours";
    public const string TimesOfDay = "timesOfDay";
    public const string TimeZone = "timeZone";
    public const string GraceMinutes = "graceMinutes";
    public const string SpO2Scale = "spO2Scale";
    public const string Scale = "scale";
    public const string TargetLow = "targetLow";
    public const string TargetHigh = "targetHigh";
    public const string Thresholds = "thresholds";
    public const string HeartRate = CheckInFields.HeartRate;
    public const string RespiratoryRate = CheckInFields.RespiratoryRate;
    public const string OxygenSaturation = CheckInFields.OxygenSaturation;
    public const string SystolicBp = CheckInFields.SystolicBp;
    public const string Temperature = CheckInFields.Temperature;
    public const string Low = "low";
    public const string High = "high";
    public const string Severity = "severity";
    public const string ScoreThreshold = "scoreThreshold";
    public const string Reason = "reason";
    public const string Plan = "plan";

    public static string Path(params string[] parts) => string.Join('.', parts);
}

/// <summary>What a plan may say. Vital-sign bounds must lie within the check-in's plausible ranges (<see cref="CheckInLimits"/>).</summary>
public static class MonitoringPlanLimits
{
    public const string TimeOfDayFormat = "HH:mm";
    public const int EveryHoursMin = 1;

    /// <summary>A week: a longer gap is no monitoring.</summary>
    public const int EveryHoursMax = 168;

    public const int TimesOfDayMax = 24;
    public const int SpO2TargetMin = 80;
    public const int SpO2TargetMax = 100;
    public const int ReasonMaxLength = 500;
}

/// <summary>
/// Validates a plan and a reason, and returns them in their stored form: the reason trimmed, scale 2's target range
/// filled in with the RCP default where the prescription leaves it out, the times of day in order.
/// </summary>
public static class MonitoringPlanValidator
{
    public static IReadOnlyDictionary<string, string[]> Validate(MonitoringPlan? plan, string? reason, out MonitoringPlan normalized, out string trimmedReason)
    {
        var errors = new ValidationErrors();
        normalized = plan ?? MonitoringPlan.Defaults;
        trimmedReason = reason?.Trim() ?? string.Empty;
        if (trimmedReason.Length is 0 or > MonitoringPlanLimits.ReasonMaxLength || trimmedReason.Any(char.IsControl))
        {
            errors.Add(MonitoringPlanFields.Reason, $"Reason must be 1 to {MonitoringPlanLimits.ReasonMaxLength} characters after trimming spaces, with no control characters.");
        }

        if (plan is null)
        {
            errors.Add(MonitoringPlanFields.Plan, "The body must be a monitoring plan: schedule, spO2Scale and thresholds (each optional) and a reason.");
            return errors.ToDictionary();
        }

        var schedule = plan.Schedule is { } s ? ValidateSchedule(s, errors) : null;
        var scale = plan.SpO2Scale is { } o ? ValidateScale(o, errors) : null;
        if (plan.Thresholds is { } thresholds)
        {
            ValidateThresholds(thresholds, errors);
        }

        normalized = plan with { Schedule = schedule, SpO2Scale = scale };
        return errors.ToDictionary();
    }

    private static CheckInSchedule ValidateSchedule(CheckInSchedule schedule, ValidationErrors errors)
    {
        static string Field(string name) => MonitoringPlanFields.Path(MonitoringPlanFields.Schedule, name);

        if (string.IsNullOrWhiteSpace(schedule.TimeZone)
            || !TimeZoneInfo.TryFindSystemTimeZoneById(schedule.TimeZone, out var zone)
            || !zone.HasIanaId)
        {
            errors.Add(Field(MonitoringPlanFields.TimeZone), "TimeZone must be an IANA time zone id, e.g. Europe/London.");
        }

        // The longest a check-in may be late: shorter than the gap to the next one, or a late check-in would count for both.
        TimeSpan? interval = null;
        IReadOnlyList<string>? times = null;
        switch (schedule)
        {
            case { EveryHours: not null, TimesOfDay: not null }:
                errors.Add(Field(MonitoringPlanFields.EveryHours), "Give either everyHours or timesOfDay, not both.");
                break;
            case { EveryHours: { } hours }:
                if (hours is < MonitoringPlanLimits.EveryHoursMin or > MonitoringPlanLimits.EveryHoursMax)
                {
                    errors.Add(Field(MonitoringPlanFields.EveryHours), $"EveryHours must be from {MonitoringPlanLimits.EveryHoursMin} to {MonitoringPlanLimits.EveryHoursMax}.");
                }
                else
                {
                    interval = TimeSpan.FromHours(hours);
                }

                break;
            case { TimesOfDay: { } given }:
                var parsed = given.Select(t => TimeOnly.TryParseExact(t, MonitoringPlanLimits.TimeOfDayFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) ? time : (TimeOnly?)null).ToList();
                if (given.Count is 0 or > MonitoringPlanLimits.TimesOfDayMax)
                {
                    errors.Add(Field(MonitoringPlanFields.TimesOfDay), $"TimesOfDay must list 1 to {MonitoringPlanLimits.TimesOfDayMax} times.");
                }
                else if (parsed.Any(t => t is null))
                {
                    errors.Add(Field(MonitoringPlanFields.TimesOfDay), "Each time of day must be HH:mm (00:00 to 23:59).");
                }
                else if (parsed.Distinct().Count() != parsed.Count)
                {
                    errors.Add(Field(MonitoringPlanFields.TimesOfDay), "TimesOfDay must not list a time twice.");
                }
                else
                {
                    var ordered = parsed.Select(t => t!.Value).Order().ToList();
                    times = [.. ordered.Select(t => t.ToString(MonitoringPlanLimits.TimeOfDayFormat, CultureInfo.InvariantCulture))];
                    interval = ordered.Zip([.. ordered.Skip(1), ordered[0]], (a, b) => b > a ? b - a : TimeSpan.FromDays(1) - (a - b)).Min();
                }

                break;
            default:
                errors.Add(Field(MonitoringPlanFields.EveryHours), "A schedule needs everyHours or timesOfDay.");
                break;
        }

        if (schedule.GraceMinutes < 0)
        {
            errors.Add(Field(MonitoringPlanFields.GraceMinutes), "GraceMinutes must not be negative.");
        }
        else if (interval is { } gap && TimeSpan.FromMinutes(schedule.GraceMinutes) >= gap)
        {
            errors.Add(Field(MonitoringPlanFields.GraceMinutes), $"GraceMinutes must be shorter than the time between two check-ins ({gap.TotalMinutes:0} minutes).");
        }

        return schedule with { TimesOfDay = times ?? schedule.TimesOfDay };
    }

    private static SpO2Scale ValidateScale(SpO2Scale scale, ValidationErrors errors)
    {
        static string Field(string name) => MonitoringPlanFields.Path(MonitoringPlanFields.SpO2Scale, name);

        if (scale.Scale is not (1 or 2))
        {
            errors.Add(Field(MonitoringPlanFields.Scale), "Scale must be 1 or 2.");
            return scale;
        }

        if (!scale.IsScale2)
        {
            if (scale.TargetLow is not null || scale.TargetHigh is not null)
            {
                errors.Add(Field(scale.TargetLow is not null ? MonitoringPlanFields.TargetLow : MonitoringPlanFields.TargetHigh),
                    "A target range is prescribed with scale 2 only; scale 1 has none.");
            }

            return scale;
        }

        var low = scale.TargetLow ?? SpO2Scale.DefaultTargetLow;
        var high = scale.TargetHigh ?? SpO2Scale.DefaultTargetHigh;
        var outside = false;
        foreach (var (name, value) in new[] { (MonitoringPlanFields.TargetLow, low), (MonitoringPlanFields.TargetHigh, high) })
        {
            if (value is < MonitoringPlanLimits.SpO2TargetMin or > MonitoringPlanLimits.SpO2TargetMax)
            {
                errors.Add(Field(name), $"The target must lie within {MonitoringPlanLimits.SpO2TargetMin}-{MonitoringPlanLimits.SpO2TargetMax} %.");
                outside = true;
            }
        }

        if (!outside && low >= high)
        {
            errors.Add(Field(MonitoringPlanFields.TargetLow), "TargetLow must be below targetHigh.");
        }

        return scale with { TargetLow = low, TargetHigh = high };
    }

    private static void ValidateThresholds(PersonalThresholds thresholds, ValidationErrors errors)
    {
        CheckBound(MonitoringPlanFields.HeartRate, thresholds.HeartRate, CheckInLimits.HeartRateMin, CheckInLimits.HeartRateMax, wholeNumber: true, errors);
        CheckBound(MonitoringPlanFields.RespiratoryRate, thresholds.RespiratoryRate, CheckInLimits.RespiratoryRateMin, CheckInLimits.RespiratoryRateMax, wholeNumber: true, errors);
        CheckBound(MonitoringPlanFields.OxygenSaturation, thresholds.OxygenSaturation, CheckInLimits.OxygenSaturationMin, CheckInLimits.OxygenSaturationMax, wholeNumber: true, errors);
        CheckBound(MonitoringPlanFields.SystolicBp, thresholds.SystolicBp, CheckInLimits.SystolicBpMin, CheckInLimits.SystolicBpMax, wholeNumber: true, errors);
        CheckBound(MonitoringPlanFields.Temperature, thresholds.Temperature, CheckInLimits.TemperatureMin, CheckInLimits.TemperatureMax, wholeNumber: false, errors);

        if (thresholds.ScoreThreshold is < 0 or > CheckInLimits.ScoreMax)
        {
            errors.Add(MonitoringPlanFields.Path(MonitoringPlanFields.Thresholds, MonitoringPlanFields.ScoreThreshold),
                $"ScoreThreshold must be from 0 to {CheckInLimits.ScoreMax} (a score above it raises an alert; {CheckInLimits.ScoreMax} switches the rule off).");
        }
    }

    private static void CheckBound(string sign, VitalBound? bound, decimal min, decimal max, bool wholeNumber, ValidationErrors errors)
    {
        if (bound is null)
        {
            return;
        }

        string Field(string name) => MonitoringPlanFields.Path(MonitoringPlanFields.Thresholds, sign, name);

        if (bound.Low is null && bound.High is null)
        {
            errors.Add(MonitoringPlanFields.Path(MonitoringPlanFields.Thresholds, sign), "A bound needs a low, a high, or both.");
        }

        var inRange = true;
        foreach (var (name, value) in new[] { (MonitoringPlanFields.Low, bound.Low), (MonitoringPlanFields.High, bound.High) })
        {
            if (value is not { } v)
            {
                continue;
            }

            if (v < min || v > max || (wholeNumber && v != decimal.Truncate(v)))
            {
                errors.Add(Field(name), $"{Capitalised(name)} must be {(wholeNumber ? "a whole number " : "")}from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}.");
                inRange = false;
            }
        }

        if (inRange && bound is { Low: { } low, High: { } high } && low >= high)
        {
            errors.Add(Field(MonitoringPlanFields.Low), "Low must be below high.");
        }

        if (!Severities.All.Contains(bound.Severity))
        {
            errors.Add(Field(MonitoringPlanFields.Severity), $"Severity must be one of {string.Join(", ", Severities.All)}.");
        }
    }

    private static string Capitalised(string name) => char.ToUpperInvariant(name[0]) + name[1..];
}
