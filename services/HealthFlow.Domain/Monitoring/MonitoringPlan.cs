namespace HealthFlow.Domain.Monitoring;

/// <summary>
/// What a clinician prescribes for one patient's monitoring. Each part is optional: a part the plan leaves out keeps
/// the defaults (no schedule, SpO2 scale 1, the global alert rules), so an empty plan changes nothing.
/// </summary>
public sealed record MonitoringPlan(
    CheckInSchedule? Schedule = null,
    SpO2Scale? SpO2Scale = null,
    PersonalThresholds? Thresholds = null)
{
    /// <summary>The plan of a patient nobody prescribed for: every default.</summary>
    public static MonitoringPlan Defaults { get; } = new();
}

/// <summary>
/// When the patient is expected to check in: every <see cref="EveryHours"/> hours, or at the local
/// <see cref="TimesOfDay"/> ("HH:mm", in <see cref="TimeZone"/>), and how many minutes late a check-in may be
/// (<see cref="GraceMinutes"/>) before it counts as missed. Exactly one of the two ways is given.
/// </summary>
/// <param name="TimeZone">An IANA time zone id, e.g. <c>Europe/London</c>: the patient's local day.</param>
public sealed record CheckInSchedule(
    int? EveryHours,
    IReadOnlyList<string>? TimesOfDay,
    string TimeZone,
    int GraceMinutes = 0)
{
    /// <summary>The times of day as <see cref="TimeOnly"/>, in order; empty for an interval schedule.</summary>
    public IReadOnlyList<TimeOnly> LocalTimes() =>
        [.. (TimesOfDay ?? []).Select(t => TimeOnly.ParseExact(t, MonitoringPlanLimits.TimeOfDayFormat, System.Globalization.CultureInfo.InvariantCulture)).Order()];
}

/// <summary>
/// Which NEWS2 SpO2 scale scores the patient's oxygen saturation. Scale 2 is for hypercapnic respiratory failure and
/// carries the prescribed target range (RCP default 88-92 %); the chart's scale 2 bands do the scoring, the range is
/// recorded and shown to clinicians.
/// </summary>
public sealed record SpO2Scale(int Scale = 1, int? TargetLow = null, int? TargetHigh = null)
{
    public const int DefaultTargetLow = 88;
    public const int DefaultTargetHigh = 92;

    public bool IsScale2 => Scale == 2;
}

/// <summary>
/// Personal alert bounds per vital sign, and a symptom-score threshold that replaces the global
/// <c>AlertRules:ScoreThreshold</c> for this patient. A sign without a bound raises nothing of its own.
/// </summary>
public sealed record PersonalThresholds(
    VitalBound? HeartRate = null,
    VitalBound? RespiratoryRate = null,
    VitalBound? OxygenSaturation = null,
    VitalBound? SystolicBp = null,
    VitalBound? Temperature = null,
    int? ScoreThreshold = null)
{
    /// <summary>Each bound given, with the vital sign's field name, in the order of the check-in's fields.</summary>
    public IEnumerable<(string Field, VitalBound Bound)> Bounds()
    {
        (string, VitalBound?)[] all =
        [
            (MonitoringPlanFields.HeartRate, HeartRate),
            (MonitoringPlanFields.RespiratoryRate, RespiratoryRate),
            (MonitoringPlanFields.OxygenSaturation, OxygenSaturation),
            (MonitoringPlanFields.SystolicBp, SystolicBp),
            (MonitoringPlanFields.Temperature, Temperature),
        ];
        return all.Where(b => b.Item2 is not null).Select(b => (b.Item1, b.Item2!));
    }
}

/// <summary>
/// One vital sign's personal bounds. A value strictly below <see cref="Low"/> or strictly above <see cref="High"/>
/// raises an alert of <see cref="Severity"/>; a value equal to a bound is still acceptable, so a bound reads as
/// "the lowest (highest) value that is fine for this patient".
/// </summary>
public sealed record VitalBound(decimal? Low, decimal? High, string Severity);
