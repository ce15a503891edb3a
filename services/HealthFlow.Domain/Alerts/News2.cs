using System.Globalization;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Monitoring;

namespace HealthFlow.Domain.Alerts;

/// <summary>The parameter names NEWS2 scores: the check-in's camelCase field names.</summary>
public static class News2Parameters
{
    public const string RespiratoryRate = "respiratoryRate";
    public const string OxygenSaturation = "oxygenSaturation";
    public const string OnSupplementalOxygen = "onSupplementalOxygen";
    public const string SystolicBp = "systolicBp";
    public const string HeartRate = "heartRate";
    public const string Consciousness = "consciousness";
    public const string Temperature = "temperature";

    /// <summary>The seven parameters, in the order of the RCP chart.</summary>
    public static readonly IReadOnlyList<string> All =
        [RespiratoryRate, OxygenSaturation, OnSupplementalOxygen, SystolicBp, HeartRate, Consciousness, Temperature];
}

/// <summary>What one parameter contributed: its value as scored and its points.</summary>
public sealed record News2SubScore(string Parameter, string Value, int Points)
{
    /// <summary>The alert reason, e.g. "respiratoryRate 26 → 3".</summary>
    public override string ToString() => $"{Parameter} {Value} → {Points}";
}

/// <summary>
/// A NEWS2 result. <see cref="SubScores"/> lists every parameter present, in chart order, scoring or not;
/// <see cref="Missing"/> those absent. <see cref="Severity"/> is null when the result raises no alert.
/// </summary>
public sealed record News2Score(
    int Total,
    IReadOnlyList<News2SubScore> SubScores,
    IReadOnlyList<string> Missing,
    string? Severity)
{
    /// <summary>True when any of the seven parameters was not measured: the total may understate the risk.</summary>
    public bool IsPartial => Missing.Count > 0;

    /// <summary>True when at least one parameter was measured, so the total means something.</summary>
    public bool HasAnyParameter => SubScores.Count > 0;

    /// <summary>True when one parameter alone scored 3, the RCP's "red score".</summary>
    public bool HasRedScore => SubScores.Any(s => s.Points == 3);

    /// <summary>Each parameter that scored, with its value, in chart order.</summary>
    public IReadOnlyList<string> Reasons => [.. SubScores.Where(s => s.Points > 0).Select(s => s.ToString())];
}

/// <summary>
/// National Early Warning Score 2 (Royal College of Physicians, 2017, Chart 1). Oxygen saturation is scored on SpO2
/// scale 1 unless the patient's monitoring plan prescribes scale 2 (hypercapnic respiratory failure), which only a
/// clinician may do; then the chart's scale 2 bands score it, oxygen-dependent at 93 % and above. Parameters absent
/// from the check-in are not scored and make the result partial.
/// </summary>
public static class News2
{
    public static News2Score Calculate(VitalSigns vitals) => Calculate(vitals, new AlertRulesOptions());

    public static News2Score Calculate(VitalSigns vitals, AlertRulesOptions options) => Calculate(vitals, options, spO2Scale: null);

    /// <param name="spO2Scale">The plan's prescription; null or scale 1 is scale 1.</param>
    public static News2Score Calculate(VitalSigns vitals, AlertRulesOptions options, SpO2Scale? spO2Scale)
    {
        ArgumentNullException.ThrowIfNull(vitals);
        ArgumentNullException.ThrowIfNull(options);

        var subScores = new List<News2SubScore>(7);
        var missing = new List<string>();

        void Score<T>(string parameter, T? value, Func<T, string> format, Func<T, int> points) where T : struct
        {
            if (value is { } v)
            {
                subScores.Add(new News2SubScore(parameter, format(v), points(v)));
            }
            else
            {
                missing.Add(parameter);
            }
        }

        Score(News2Parameters.RespiratoryRate, vitals.RespiratoryRate, Format, RespiratoryRatePoints);
        if (spO2Scale is { IsScale2: true })
        {
            // An unknown oxygen state scores as air; the missing onSupplementalOxygen makes the result partial, which says so.
            var onOxygen = vitals.OnSupplementalOxygen == true;
            Score(News2Parameters.OxygenSaturation, vitals.OxygenSaturation, p => $"{Format(p)} (scale 2)", p => Scale2OxygenSaturationPoints(p, onOxygen));
        }
        else
        {
            Score(News2Parameters.OxygenSaturation, vitals.OxygenSaturation, Format, OxygenSaturationPoints);
        }

        Score(News2Parameters.OnSupplementalOxygen, vitals.OnSupplementalOxygen, o => o ? "true" : "false", o => o ? 2 : 0);
        Score(News2Parameters.SystolicBp, vitals.SystolicBp, Format, SystolicBpPoints);
        Score(News2Parameters.HeartRate, vitals.HeartRate, Format, HeartRatePoints);
        Score(News2Parameters.Consciousness, vitals.Consciousness, FormatConsciousness, c => c == Consciousness.Alert ? 0 : 3);
        Score<decimal>(News2Parameters.Temperature, vitals.Temperature is { } celsius ? ToOneDecimal(celsius) : null, t => t.ToString("0.0", CultureInfo.InvariantCulture), TemperaturePoints);

        var total = subScores.Sum(s => s.Points);
        var hasRedScore = subScores.Any(s => s.Points == 3);
        var severity =
            total >= options.News2HighThreshold ? Severities.High
            : total >= options.News2MediumThreshold ? Severities.Medium
            : hasRedScore ? Severities.LowMedium
            : null;

        return new News2Score(total, subScores, missing, severity);
    }

    /// <summary>
    /// The chart's temperature bands are one-decimal values (35.0, 35.1), leaving gaps such as 35.05.
    /// A reading is rounded to one decimal, half away from zero, as a one-decimal thermometer displays it.
    /// </summary>
    public static decimal ToOneDecimal(decimal celsius) => Math.Round(celsius, 1, MidpointRounding.AwayFromZero);

    private static int RespiratoryRatePoints(int perMinute) => perMinute switch
    {
        <= 8 => 3,
        <= 11 => 1,
        <= 20 => 0,
        <= 24 => 2,
        _ => 3,
    };

    private static int OxygenSaturationPoints(int percent) => percent switch
    {
        <= 91 => 3,
        <= 93 => 2,
        <= 95 => 1,
        _ => 0,
    };

    /// <summary>
    /// SpO2 scale 2: below the 88-92 % band the points rise as on scale 1; above it they rise only on oxygen, where
    /// too much oxygen risks hypercapnia. On air, 93 % and above score 0.
    /// </summary>
    public static int Scale2OxygenSaturationPoints(int percent, bool onOxygen) => percent switch
    {
        <= 83 => 3,
        <= 85 => 2,
        <= 87 => 1,
        <= 92 => 0,
        _ when !onOxygen => 0,
        <= 94 => 1,
        <= 96 => 2,
        _ => 3,
    };

    private static int SystolicBpPoints(int mmHg) => mmHg switch
    {
        <= 90 => 3,
        <= 100 => 2,
        <= 110 => 1,
        <= 219 => 0,
        _ => 3,
    };

    private static int HeartRatePoints(int perMinute) => perMinute switch
    {
        <= 40 => 3,
        <= 50 => 1,
        <= 90 => 0,
        <= 110 => 1,
        <= 130 => 2,
        _ => 3,
    };

    private static int TemperaturePoints(decimal celsius) => celsius switch
    {
        <= 35.0m => 3,
        <= 36.0m => 1,
        <= 38.0m => 0,
        <= 39.0m => 1,
        _ => 2,
    };

    private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string FormatConsciousness(Consciousness level) => level.ToString().ToLowerInvariant();
}
