using System.Globalization;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;

namespace HealthFlow.Domain.Tests;

// Every band edge of RCP NEWS2 Chart 1 (2017), SpO2 scale 1.
public class News2Tests
{
    /// <summary>Every parameter present and scoring 0.</summary>
    private static readonly VitalSigns Normal = new(
        RespiratoryRate: 16,
        OxygenSaturation: 98,
        OnSupplementalOxygen: false,
        SystolicBp: 120,
        HeartRate: 70,
        Consciousness: Consciousness.Alert,
        Temperature: 37.0m);

    private static News2SubScore SubScore(VitalSigns vitals, string parameter) =>
        Assert.Single(News2.Calculate(vitals).SubScores, s => s.Parameter == parameter);

    [Theory]
    [InlineData(3, 3)]
    [InlineData(8, 3)]
    [InlineData(9, 1)]
    [InlineData(11, 1)]
    [InlineData(12, 0)]
    [InlineData(20, 0)]
    [InlineData(21, 2)]
    [InlineData(24, 2)]
    [InlineData(25, 3)]
    [InlineData(80, 3)]
    public void Respiration_rate_scores_by_band(int perMinute, int points) =>
        Assert.Equal(points, SubScore(Normal with { RespiratoryRate = perMinute }, News2Parameters.RespiratoryRate).Points);

    [Theory]
    [InlineData(50, 3)]
    [InlineData(91, 3)]
    [InlineData(92, 2)]
    [InlineData(93, 2)]
    [InlineData(94, 1)]
    [InlineData(95, 1)]
    [InlineData(96, 0)]
    [InlineData(100, 0)]
    public void Oxygen_saturation_scores_by_scale_1_band(int percent, int points) =>
        Assert.Equal(points, SubScore(Normal with { OxygenSaturation = percent }, News2Parameters.OxygenSaturation).Points);

    [Theory]
    [InlineData(true, 2)]
    [InlineData(false, 0)]
    public void Supplemental_oxygen_scores_2_and_air_scores_0(bool onOxygen, int points) =>
        Assert.Equal(points, SubScore(Normal with { OnSupplementalOxygen = onOxygen }, News2Parameters.OnSupplementalOxygen).Points);

    [Theory]
    [InlineData(50, 3)]
    [InlineData(90, 3)]
    [InlineData(91, 2)]
    [InlineData(100, 2)]
    [InlineData(101, 1)]
    [InlineData(110, 1)]
    [InlineData(111, 0)]
    [InlineData(219, 0)]
    [InlineData(220, 3)]
    [InlineData(300, 3)]
    public void Systolic_blood_pressure_scores_by_band(int mmHg, int points) =>
        Assert.Equal(points, SubScore(Normal with { SystolicBp = mmHg }, News2Parameters.SystolicBp).Points);

    [Theory]
    [InlineData(20, 3)]
    [InlineData(40, 3)]
    [InlineData(41, 1)]
    [InlineData(50, 1)]
    [InlineData(51, 0)]
    [InlineData(90, 0)]
    [InlineData(91, 1)]
    [InlineData(110, 1)]
    [InlineData(111, 2)]
    [InlineData(130, 2)]
    [InlineData(131, 3)]
    [InlineData(300, 3)]
    public void Pulse_scores_by_band(int perMinute, int points) =>
        Assert.Equal(points, SubScore(Normal with { HeartRate = perMinute }, News2Parameters.HeartRate).Points);

    [Theory]
    [InlineData(Consciousness.Alert, 0)]
    [InlineData(Consciousness.Confusion, 3)]
    [InlineData(Consciousness.Voice, 3)]
    [InlineData(Consciousness.Pain, 3)]
    [InlineData(Consciousness.Unresponsive, 3)]
    public void Anything_but_alert_scores_3(Consciousness level, int points) =>
        Assert.Equal(points, SubScore(Normal with { Consciousness = level }, News2Parameters.Consciousness).Points);

    [Theory]
    [InlineData("25.0", 3)]
    [InlineData("35.0", 3)]
    [InlineData("35.1", 1)]
    [InlineData("36.0", 1)]
    [InlineData("36.1", 0)]
    [InlineData("38.0", 0)]
    [InlineData("38.1", 1)]
    [InlineData("39.0", 1)]
    [InlineData("39.1", 2)]
    [InlineData("45.0", 2)]
    public void Temperature_scores_by_band(string celsius, int points) =>
        Assert.Equal(points, SubScore(Normal with { Temperature = Decimal(celsius) }, News2Parameters.Temperature).Points);

    [Theory]
    [InlineData("35.04", "35.0", 3)]
    [InlineData("35.05", "35.1", 1)]
    [InlineData("36.04", "36.0", 1)]
    [InlineData("36.05", "36.1", 0)]
    [InlineData("38.04", "38.0", 0)]
    [InlineData("38.05", "38.1", 1)]
    [InlineData("39.04", "39.0", 1)]
    [InlineData("39.05", "39.1", 2)]
    [InlineData("37", "37.0", 0)]
    public void Temperature_between_chart_values_is_rounded_half_up_to_one_decimal(string celsius, string scoredAs, int points)
    {
        var sub = SubScore(Normal with { Temperature = Decimal(celsius) }, News2Parameters.Temperature);

        Assert.Equal(scoredAs, sub.Value);
        Assert.Equal(points, sub.Points);
    }

    [Fact]
    public void Normal_vital_signs_score_0_and_raise_nothing()
    {
        var news2 = News2.Calculate(Normal);

        Assert.Equal(0, news2.Total);
        Assert.False(news2.IsPartial);
        Assert.Empty(news2.Reasons);
        Assert.Null(news2.Severity);
        Assert.Equal(News2Parameters.All, news2.SubScores.Select(s => s.Parameter));
    }

    public static TheoryData<string, VitalSigns, int, string?> SeverityCases => new()
    {
        // description, vitals, total, severity
        { "total 1", Normal with { HeartRate = 91 }, 1, null },
        { "total 4 without a red score", Normal with { RespiratoryRate = 21, OxygenSaturation = 94, HeartRate = 91 }, 4, null },
        { "total 5", Normal with { RespiratoryRate = 21, OxygenSaturation = 93, HeartRate = 91 }, 5, Severities.Medium },
        { "total 6", Normal with { RespiratoryRate = 21, OxygenSaturation = 93, OnSupplementalOxygen = true }, 6, Severities.Medium },
        { "total 7", Normal with { RespiratoryRate = 21, OxygenSaturation = 93, OnSupplementalOxygen = true, HeartRate = 91 }, 7, Severities.High },
        { "total 20", Normal with { RespiratoryRate = 30, OxygenSaturation = 85, OnSupplementalOxygen = true, SystolicBp = 80, HeartRate = 140, Consciousness = Consciousness.Unresponsive, Temperature = 34.0m }, 20, Severities.High },
        { "single 3, total 3", Normal with { Consciousness = Consciousness.Confusion }, 3, Severities.LowMedium },
        { "single 3, total 4", Normal with { RespiratoryRate = 25, HeartRate = 91 }, 4, Severities.LowMedium },
        { "single 3, total 5", Normal with { SystolicBp = 90, OnSupplementalOxygen = true }, 5, Severities.Medium },
        { "single 3, total 7", Normal with { Temperature = 35.0m, OnSupplementalOxygen = true, SystolicBp = 105, HeartRate = 45 }, 7, Severities.High },
    };

    [Theory]
    [MemberData(nameof(SeverityCases))]
    public void Total_and_red_scores_set_the_severity(string description, VitalSigns vitals, int total, string? severity)
    {
        var news2 = News2.Calculate(vitals);

        Assert.True(total == news2.Total, $"{description}: total {news2.Total}");
        Assert.True(severity == news2.Severity, $"{description}: severity {news2.Severity ?? "none"}");
    }

    // Heart rate 115 and breathing 22 score 2 each: a total of 4 with no red score.
    private static readonly VitalSigns Total4 = Normal with { HeartRate = 115, RespiratoryRate = 22 };
    private static readonly VitalSigns Total6 = Total4 with { OnSupplementalOxygen = true };
    private static readonly VitalSigns Total8 = Total6 with { OxygenSaturation = 93 };

    public static TheoryData<int, int, VitalSigns, string?> ConfiguredThresholdCases => new()
    {
        // high threshold, medium threshold, vitals, severity
        { 6, 4, Total4, Severities.Medium },
        { 6, 4, Total6, Severities.High },
        { 9, 7, Total6, null },
        { 9, 7, Total8, Severities.Medium },
        { 8, 8, Total8, Severities.High },
    };

    [Theory]
    [MemberData(nameof(ConfiguredThresholdCases))]
    public void Severity_thresholds_come_from_the_options(int high, int medium, VitalSigns vitals, string? severity)
    {
        var options = new AlertRulesOptions { News2HighThreshold = high, News2MediumThreshold = medium };

        Assert.Equal(severity, News2.Calculate(vitals, options).Severity);
    }

    [Fact]
    public void Reasons_list_each_scoring_parameter_with_its_value_in_chart_order()
    {
        var vitals = new VitalSigns(
            RespiratoryRate: 26,
            OxygenSaturation: 93,
            OnSupplementalOxygen: true,
            SystolicBp: 95,
            HeartRate: 115,
            Consciousness: Consciousness.Confusion,
            Temperature: 39.5m);

        var news2 = News2.Calculate(vitals);

        Assert.Equal(16, news2.Total);
        Assert.Equal(
            [
                "respiratoryRate 26 → 3",
                "oxygenSaturation 93 → 2",
                "onSupplementalOxygen true → 2",
                "systolicBp 95 → 2",
                "heartRate 115 → 2",
                "consciousness confusion → 3",
                "temperature 39.5 → 2",
            ],
            news2.Reasons);
    }

    [Fact]
    public void Reasons_leave_out_parameters_that_scored_0()
    {
        var news2 = News2.Calculate(Normal with { RespiratoryRate = 26, Temperature = 35.0m });

        Assert.Equal(["respiratoryRate 26 → 3", "temperature 35.0 → 3"], news2.Reasons);
    }

    [Fact]
    public void Missing_parameters_make_the_score_partial_and_are_named()
    {
        var news2 = News2.Calculate(new VitalSigns(HeartRate: 35, Temperature: 37.2m));

        Assert.True(news2.IsPartial);
        Assert.Equal(
            [
                News2Parameters.RespiratoryRate, News2Parameters.OxygenSaturation, News2Parameters.OnSupplementalOxygen,
                News2Parameters.SystolicBp, News2Parameters.Consciousness,
            ],
            news2.Missing);
        Assert.Equal(3, news2.Total);
        Assert.Equal(Severities.LowMedium, news2.Severity);
    }

    [Fact]
    public void Missing_consciousness_counts_as_missing()
    {
        var news2 = News2.Calculate(Normal with { Consciousness = null });

        Assert.True(news2.IsPartial);
        Assert.Equal([News2Parameters.Consciousness], news2.Missing);
    }

    [Fact]
    public void The_symptom_score_is_not_a_NEWS2_parameter()
    {
        var news2 = News2.Calculate(new VitalSigns(Score: 10));

        Assert.False(news2.HasAnyParameter);
        Assert.Equal(0, news2.Total);
        Assert.Equal(News2Parameters.All, news2.Missing);
        Assert.Null(news2.Severity);
    }

    private static decimal Decimal(string value) => decimal.Parse(value, CultureInfo.InvariantCulture);
}
