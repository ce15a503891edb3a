using System.Text.Json.Serialization;

namespace HealthFlow.Cli.Bench;

/// <summary>Percentiles of a set of durations, in milliseconds (nearest-rank, exact: every sample kept).</summary>
public sealed record LatencyStats(int Count, double P50, double P95, double P99, double Max, double Mean)
{
    public static readonly LatencyStats Empty = new(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

    [JsonIgnore]
    public bool HasSamples => Count > 0;

    public static LatencyStats Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        if (sorted.Length == 0)
        {
            return Empty;
        }

        return new LatencyStats(sorted.Length, Rank(0.50), Rank(0.95), Rank(0.99), sorted[^1], sorted.Average());

        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>A thread-safe bag of latency samples.</summary>
public sealed class LatencyRecorder
{
    private readonly List<double> _samples = [];
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _samples.Count;
            }
        }
    }

    public void Add(TimeSpan elapsed)
    {
        lock (_gate)
        {
            _samples.Add(elapsed.TotalMilliseconds);
        }
    }

    public LatencyStats Snapshot()
    {
        lock (_gate)
        {
            return LatencyStats.Of(_samples);
        }
    }
}
