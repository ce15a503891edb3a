using HealthFlow.Cli.Api;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.CheckIns;
using HealthFlow.Domain.Events;

namespace HealthFlow.Cli.Bench;

/// <summary>
/// Check-ins a monitored population sends: mostly unremarkable, a given share alarming. Whether a
/// check-in alarms is decided by the domain's own alert rules (default thresholds), never assumed.
/// </summary>
public sealed class CheckInMix
{
    private static readonly AlertRulesOptions DefaultRules = new();

    // Each raises exactly one alert under the default rules.
    private static readonly CheckInBody[] Alarming =
    [
        // Symptom score 9 > 7 with unremarkable vitals: score-threshold, medium.
        new() { Score = 9, HeartRate = 78, RespiratoryRate = 16, OxygenSaturation = 97, SystolicBp = 124, DiastolicBp = 80, Temperature = 36.9m, Consciousness = Consciousness.Alert },
        // NEWS2 8 (respiration 26 → 3, SpO2 91 → 3, pulse 115 → 2) with a low score: news2, high.
        new() { Score = 4, HeartRate = 115, RespiratoryRate = 26, OxygenSaturation = 91, SystolicBp = 118, DiastolicBp = 76, Temperature = 37.4m, Consciousness = Consciousness.Alert },
    ];

    private static readonly CheckInBody[] Normal =
    [
        new() { Score = 2, HeartRate = 68, RespiratoryRate = 14, OxygenSaturation = 98, SystolicBp = 122, DiastolicBp = 79, Temperature = 36.7m, Consciousness = Consciousness.Alert },
        new() { Score = 3, HeartRate = 74, RespiratoryRate = 16, OxygenSaturation = 97, SystolicBp = 130, DiastolicBp = 84, Temperature = 36.9m, Consciousness = Consciousness.Alert },
        new() { Score = 5, HeartRate = 82, RespiratoryRate = 18, OxygenSaturation = 96, SystolicBp = 116, DiastolicBp = 72, Temperature = 37.2m, Consciousness = Consciousness.Alert },
    ];

    private readonly double _alarmingShare;
    private long _next;

    public CheckInMix(double alarmingShare)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(alarmingShare, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(alarmingShare, 1);
        _alarmingShare = alarmingShare;
        foreach (var checkIn in Alarming)
        {
            EnsureAlerts(checkIn, 1);
        }

        foreach (var checkIn in Normal)
        {
            EnsureAlerts(checkIn, 0);
        }
    }

    /// <summary>How many alerts the check-in raises under the default rules.</summary>
    public static int AlertsFor(CheckInBody checkIn) => AlertEvaluator.Decide(checkIn.Vitals, DefaultRules) is null ? 0 : 1;

    public static CheckInBody NormalCheckIn(long n) => Normal[n % Normal.Length];

    public static CheckInBody AlarmingCheckIn(long n) => Alarming[n % Alarming.Length];

    /// <summary>
    /// The n-th check-in of a run. Deterministic, not random: the alarming share is exact at any point
    /// (every check-in whose cumulative share crosses a whole number alarms), so runs compare.
    /// </summary>
    public (CheckInBody CheckIn, bool Alarming) Next()
    {
        var n = Interlocked.Increment(ref _next);
        var alarming = Math.Floor(n * _alarmingShare) > Math.Floor((n - 1) * _alarmingShare);
        return alarming ? (AlarmingCheckIn(n), true) : (NormalCheckIn(n), false);
    }

    private static void EnsureAlerts(CheckInBody checkIn, int expected)
    {
        if (AlertsFor(checkIn) != expected)
        {
            throw new InvalidOperationException($"The bench expects {checkIn} to raise {expected} alert(s) under the default rules; the rules changed.");
        }
    }
}
