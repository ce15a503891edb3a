using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Monitoring;

namespace HealthFlow.Domain.Tests.Monitoring;

// Every band edge of SpO2 scale 2 on the RCP NEWS2 chart (2017), on air and on oxygen.
public class News2Scale2Tests
{
    private static readonly SpO2Scale Scale2 = new(2, 88, 92);

    private static News2SubScore Saturation(int percent, bool onOxygen, SpO2Scale? scale) =>
        Assert.Single(
            News2.Calculate(new VitalSigns(OxygenSaturation: percent, OnSupplementalOxygen: onOxygen), new AlertRulesOptions(), scale).SubScores,
            s => s.Parameter == News2Parameters.OxygenSaturation);

    [Theory]
    [InlineData(50, 3)]
    [InlineData(83, 3)]
    [InlineData(84, 2)]
    [InlineData(85, 2)]
    [InlineData(86, 1)]
    [InlineData(87, 1)]
    [InlineData(88, 0)]
    [InlineData(92, 0)]
    [InlineData(93, 0)]
    [InlineData(97, 0)]
    [InlineData(100, 0)]
    public void On_air_scale_2_scores_by_the_lower_bands_and_anything_from_93_scores_0(int percent, int points) =>
        Assert.Equal(points, Saturation(percent, onOxygen: false, Scale2).Points);

    [Theory]
    [InlineData(83, 3)]
    [InlineData(84, 2)]
    [InlineData(85, 2)]
    [InlineData(86, 1)]
    [InlineData(87, 1)]
    [InlineData(88, 0)]
    [InlineData(92, 0)]
    [InlineData(93, 1)]
    [InlineData(94, 1)]
    [InlineData(95, 2)]
    [InlineData(96, 2)]
    [InlineData(97, 3)]
    [InlineData(100, 3)]
    public void On_oxygen_scale_2_also_scores_saturation_above_the_target_band(int percent, int points) =>
        Assert.Equal(points, Saturation(percent, onOxygen: true, Scale2).Points);

    [Fact]
    public void Without_a_known_oxygen_state_scale_2_scores_93_as_air_and_the_result_says_it_is_partial()
    {
        var score = News2.Calculate(new VitalSigns(OxygenSaturation: 97), new AlertRulesOptions(), Scale2);

        Assert.Equal(0, Assert.Single(score.SubScores).Points);
        Assert.Contains(News2Parameters.OnSupplementalOxygen, score.Missing);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1)]
    public void Without_a_scale_2_prescription_saturation_is_scored_on_scale_1(int? scale)
    {
        var prescription = scale is { } s ? new SpO2Scale(s) : null;

        Assert.Equal(3, Saturation(89, onOxygen: false, prescription).Points);
    }

    [Fact]
    public void A_scale_2_reason_names_the_scale()
    {
        var decision = AlertEvaluator.Decide(new VitalSigns(OxygenSaturation: 83), new AlertRulesOptions(), new MonitoringPlan(SpO2Scale: Scale2))!;

        Assert.Contains("oxygenSaturation 83 (scale 2) → 3", decision.Reasons);
    }

    [Fact]
    public void The_prescribed_target_range_is_recorded_but_the_charts_bands_score()
    {
        var wide = new SpO2Scale(2, 85, 95);

        Assert.Equal(1, Saturation(87, onOxygen: false, wide).Points);
        Assert.Equal(1, Saturation(93, onOxygen: true, wide).Points);
    }
}
