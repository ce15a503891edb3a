using HealthFlow.Cli.Bench;

namespace HealthFlow.Aws.Tests.Cli;

/// <summary>The arithmetic behind `healthflow bench`: what it sends and how it summarises what it measured.</summary>
public sealed class BenchFiguresTests
{
    [Theory]
    [InlineData(0.2, 500, 100)]
    [InlineData(0.0, 300, 0)]
    [InlineData(1.0, 40, 40)]
    [InlineData(0.33, 100, 33)]
    public void The_check_in_mix_alarms_exactly_the_requested_share(double share, int checkIns, int alarming)
    {
        var mix = new CheckInMix(share);

        var sent = Enumerable.Range(0, checkIns).Select(_ => mix.Next()).ToList();

        Assert.Equal(alarming, sent.Count(s => s.Alarming));
        AssertNonEmpty.All(sent, s => Assert.Equal(s.Alarming ? 1 : 0, CheckInMix.AlertsFor(s.CheckIn)));
    }

    [Fact]
    public void Latency_percentiles_are_nearest_rank_over_every_sample()
    {
        var stats = LatencyStats.Of(Enumerable.Range(1, 200).Select(ms => (double)ms).Reverse());

        Assert.Equal(200, stats.Count);
        Assert.Equal(100, stats.P50);
        Assert.Equal(190, stats.P95);
        Assert.Equal(198, stats.P99);
        Assert.Equal(200, stats.Max);
        Assert.Equal(100.5, stats.Mean);
    }

    [Fact]
    public void No_samples_give_no_percentiles_rather_than_zeros()
    {
        var stats = LatencyStats.Of([]);

        Assert.False(stats.HasSamples);
        Assert.True(double.IsNaN(stats.P99));
    }
}
