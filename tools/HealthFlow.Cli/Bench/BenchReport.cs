using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using HealthFlow.Cli.Replay;

namespace HealthFlow.Cli.Bench;

public sealed record BenchSettings(
    Uri Gateway,
    Uri AwsEndpoint,
    int Patients,
    double Rate,
    TimeSpan Duration,
    double AlarmingShare,
    int Concurrency,
    TimeSpan SaturationDuration,
    TimeSpan FloorDuration,
    int LagSampleEvery,
    bool Replay,
    string OutputDirectory);

public sealed record PacedIngest(
    double TargetPerSecond,
    double Seconds,
    long Sent,
    long Accepted,
    long Rejected,
    long ServerErrors,
    long NetworkErrors,
    long NotSentOverloaded,
    double AcceptedPerSecond,
    LatencyStats PostLatencyMs);

public sealed record SaturatedIngest(int Concurrency, double Seconds, long Accepted, long Failed, double AcceptedPerSecond, LatencyStats PostLatencyMs);

public sealed record AlertLatency(long Expected, long Seen, long Missing, string Source, int Reconnects, LatencyStats LatencyMs);

public sealed record ReplayFigures(long EventsRead, long EventsProjected, long ItemsWritten, double Seconds, double EventsPerSecond);

/// <summary>A figure set against its floor: value ÷ floor. For rates, higher is better; for latencies, the number of raw puts it costs.</summary>
public sealed record Ratio(string Figure, double Value, string Unit, double Floor, string FloorUnit, double RatioToFloor);

public sealed record Target(string Name, string Goal, double Actual, string Unit, bool Met);

public sealed record BenchReport(
    string RunId,
    DateTimeOffset StartedAt,
    string CommandLine,
    string Machine,
    BenchSettingsView Settings,
    FloorResult PutItemFloor,
    FloorResult? BatchWriteFloor,
    PacedIngest Paced,
    SaturatedIngest? Saturated,
    AlertLatency Alerts,
    LatencyStats ProjectionLagMs,
    ReplayFigures? Replay,
    IReadOnlyList<Ratio> Ratios,
    IReadOnlyList<Target> Targets)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static ReplayFigures From(ReplayResult result) => new(
        result.EventsRead, result.EventsProjected, result.ItemsWritten, result.ReplayElapsed.TotalSeconds, result.EventsPerSecond);

    public static IReadOnlyList<Ratio> RatiosOf(
        FloorResult floor, FloorResult? batchFloor, PacedIngest paced, SaturatedIngest? saturated, AlertLatency alerts, LatencyStats lag, ReplayFigures? replay)
    {
        var ratios = new List<Ratio>();
        if (saturated is not null)
        {
            ratios.Add(Rate("ingest at saturation (accepted check-ins/s)", saturated.AcceptedPerSecond));
        }

        ratios.Add(Rate($"ingest at the target rate of {paced.TargetPerSecond:0}/s (accepted check-ins/s)", paced.AcceptedPerSecond));
        if (replay is not null)
        {
            ratios.Add(Rate("replay of observations (events read/s)", replay.EventsPerSecond));
            if (batchFloor is not null)
            {
                ratios.Add(new("replay of observations (events read/s)", replay.EventsPerSecond, "/s",
                    batchFloor.ItemsPerSecond, "items/s by BatchWriteItem", replay.EventsPerSecond / batchFloor.ItemsPerSecond));
            }
        }

        AddLatencies("alert latency, POST → alert on the clinician's stream", alerts.LatencyMs);
        AddLatencies("projection lag, POST → observation readable", lag);
        AddLatencies("check-in POST latency at the target rate", paced.PostLatencyMs);
        return ratios;

        Ratio Rate(string figure, double perSecond) =>
            new(figure, perSecond, "/s", floor.ItemsPerSecond, "PutItem/s", perSecond / floor.ItemsPerSecond);

        void AddLatencies(string figure, LatencyStats stats)
        {
            if (!stats.HasSamples)
            {
                return;
            }

            ratios.Add(new(figure + " p50", stats.P50, "ms", floor.LatencyMs.P50, "ms PutItem p50", stats.P50 / floor.LatencyMs.P50));
            ratios.Add(new(figure + " p95", stats.P95, "ms", floor.LatencyMs.P95, "ms PutItem p95", stats.P95 / floor.LatencyMs.P95));
            ratios.Add(new(figure + " p99", stats.P99, "ms", floor.LatencyMs.P99, "ms PutItem p99", stats.P99 / floor.LatencyMs.P99));
        }
    }

    public static IReadOnlyList<Target> TargetsOf(FloorResult floor, SaturatedIngest? saturated, double targetRate, AlertLatency alerts, ReplayFigures? replay)
    {
        var targets = new List<Target>();
        if (saturated is not null)
        {
            var share = saturated.AcceptedPerSecond / floor.ItemsPerSecond;
            targets.Add(new("observation ingest ≥ 50% of raw PutItem/s", "≥ 0.50", share, "× floor", share >= 0.5));
        }

        if (alerts.LatencyMs.HasSamples)
        {
            targets.Add(new($"alert latency p99 < 500 ms at {targetRate:0} check-ins/s", "< 500 ms", alerts.LatencyMs.P99, "ms",
                alerts.LatencyMs.P99 < 500 && alerts.Missing == 0));
        }

        if (replay is not null)
        {
            targets.Add(new("replay ≥ 5,000 events/s", "≥ 5000/s", replay.EventsPerSecond, "events/s", replay.EventsPerSecond >= 5000));
        }

        return targets;
    }

    public async Task<(string Markdown, string Json)> WriteAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var markdown = Path.Combine(directory, "bench-report.md");
        var json = Path.Combine(directory, "bench-report.json");
        await File.WriteAllTextAsync(markdown, ToMarkdown(), cancellationToken);
        await File.WriteAllTextAsync(json, JsonSerializer.Serialize(this, Json), cancellationToken);
        return (markdown, json);
    }

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        Line($"# HealthFlow bench {RunId}");
        Line();
        Line($"Started {StartedAt:u} on {Machine}.");
        Line();
        Line("```");
        Line(CommandLine);
        Line("```");
        Line();
        Line($"{Settings.Patients} patients; {Settings.Rate:0} check-ins/s for {Settings.DurationSeconds:0} s, {Settings.AlarmingShare:P0} alarming; "
            + $"saturation {Settings.SaturationSeconds:0} s at {Settings.Concurrency} concurrent clients; gateway {Settings.Gateway}, AWS {Settings.AwsEndpoint}.");
        Line();
        Line("## Targets");
        Line();
        Line("| target | actual | met |");
        Line("|---|---:|:---:|");
        foreach (var target in Targets)
        {
            Line($"| {target.Name} | {Number(target.Actual)} {target.Unit} | {(target.Met ? "yes" : "**no**")} |");
        }

        Line();
        Line("## Floors");
        Line();
        Line($"- Raw conditional PutItem into `{PutItemFloor.Table}` (the `events` table's shape, a real commit item of {PutItemFloor.PayloadBytes:N0} bytes), "
            + $"{PutItemFloor.Concurrency} concurrent writers for {PutItemFloor.Seconds:0.0} s: **{Number(PutItemFloor.ItemsPerSecond)} PutItem/s**, "
            + $"latency p50 {Number(PutItemFloor.LatencyMs.P50)} ms, p95 {Number(PutItemFloor.LatencyMs.P95)} ms, p99 {Number(PutItemFloor.LatencyMs.P99)} ms.");
        if (BatchWriteFloor is { } batch)
        {
            Line($"- Raw BatchWriteItem (25 items) into `{batch.Table}` (the `observations` table's shape with its index, a real observation item of {batch.PayloadBytes:N0} bytes), "
                + $"{batch.Concurrency} requests in flight for {batch.Seconds:0.0} s: **{Number(batch.ItemsPerSecond)} items/s**: the most any rebuild of that read model can write.");
        }
        Line();
        Line("## Figures against the floor");
        Line();
        Line("| figure | value | floor | ratio |");
        Line("|---|---:|---:|---:|");
        foreach (var ratio in Ratios)
        {
            Line($"| {ratio.Figure} | {Number(ratio.Value)} {ratio.Unit} | {Number(ratio.Floor)} {ratio.FloorUnit} | {ratio.RatioToFloor:0.00}× |");
        }

        Line();
        Line("## Details");
        Line();
        Line($"- Paced: sent {Paced.Sent:N0}, accepted {Paced.Accepted:N0}, rejected (4xx) {Paced.Rejected:N0}, 5xx {Paced.ServerErrors:N0}, "
            + $"network errors {Paced.NetworkErrors:N0}, not sent (client overloaded) {Paced.NotSentOverloaded:N0}; "
            + $"POST p50 {Number(Paced.PostLatencyMs.P50)} ms, p99 {Number(Paced.PostLatencyMs.P99)} ms.");
        if (Saturated is not null)
        {
            Line($"- Saturation: {Saturated.Accepted:N0} accepted, {Saturated.Failed:N0} failed in {Saturated.Seconds:0.0} s; "
                + $"POST p50 {Number(Saturated.PostLatencyMs.P50)} ms, p99 {Number(Saturated.PostLatencyMs.P99)} ms.");
        }

        Line($"- Alerts ({Alerts.Source}): expected {Alerts.Expected:N0}, seen {Alerts.Seen:N0}, missing {Alerts.Missing:N0}, stream reconnects {Alerts.Reconnects}; "
            + $"latency p50 {Number(Alerts.LatencyMs.P50)} / p95 {Number(Alerts.LatencyMs.P95)} / p99 {Number(Alerts.LatencyMs.P99)} / max {Number(Alerts.LatencyMs.Max)} ms.");
        Line($"- Projection lag ({ProjectionLagMs.Count:N0} samples): p50 {Number(ProjectionLagMs.P50)} / p95 {Number(ProjectionLagMs.P95)} / p99 {Number(ProjectionLagMs.P99)} ms.");
        if (Replay is not null)
        {
            Line($"- Replay of observations: read {Replay.EventsRead:N0} events ({Replay.EventsProjected:N0} observations), wrote {Replay.ItemsWritten:N0} items "
                + $"in {Replay.Seconds:0.00} s: {Number(Replay.EventsPerSecond)} events/s.");
        }

        return md.ToString();

        void Line(string text = "") => md.Append(text).Append('\n');
    }

    private static string Number(double value) =>
        double.IsNaN(value) ? "n/a" : value.ToString(value >= 100 ? "N0" : "0.0", CultureInfo.InvariantCulture);
}

public sealed record BenchSettingsView(
    string Gateway,
    string AwsEndpoint,
    int Patients,
    double Rate,
    double DurationSeconds,
    double AlarmingShare,
    int Concurrency,
    double SaturationSeconds,
    double FloorSeconds,
    int LagSampleEvery)
{
    public static BenchSettingsView Of(BenchSettings settings) => new(
        settings.Gateway.ToString(),
        settings.AwsEndpoint.ToString(),
        settings.Patients,
        settings.Rate,
        settings.Duration.TotalSeconds,
        settings.AlarmingShare,
        settings.Concurrency,
        settings.SaturationDuration.TotalSeconds,
        settings.FloorDuration.TotalSeconds,
        settings.LagSampleEvery);
}
