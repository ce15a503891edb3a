using System.Text;
using System.Text.Json;

namespace HealthFlow.Cli.Chaos;

/// <summary>What the workload did, counted from its history.</summary>
public sealed record WorkloadCounts(
    int CheckIns, int CheckInsAccepted, int CheckInsRefused, int CheckInsUnanswered, int CheckInRetries,
    int Acknowledgements, int AcknowledgementsAccepted, int AcknowledgementConflicts,
    int Reads, int ReadsAnswered, int TeamMoves, int StreamDeliveries, int StreamReconnects, int ServerErrors)
{
    public static WorkloadCounts Of(ChaosHistory history, int streamReconnects)
    {
        var ops = history.Operations;
        var checkIns = ops.Where(o => o.Kind == OperationKinds.CheckIn).ToList();
        var acks = ops.Where(o => o.Kind == OperationKinds.Acknowledge).ToList();
        var reads = ops.Where(o => o.Kind == OperationKinds.Read).ToList();
        return new(
            checkIns.Count,
            checkIns.Count(o => o.Answered(202)),
            checkIns.Count(o => o.AnsweredClientError),
            checkIns.Count(o => o.Status is null),
            checkIns.Where(o => o.IdempotencyKey is not null).GroupBy(o => o.IdempotencyKey).Sum(g => g.Count() - 1),
            acks.Count,
            acks.Count(o => o.Answered(202)),
            acks.Count(o => o.Answered(409)),
            reads.Count,
            reads.Count(o => o.Answered(200)),
            ops.Count(o => o.Kind is OperationKinds.MoveIn or OperationKinds.MoveOut),
            history.Deliveries.Count,
            streamReconnects,
            ops.Count(o => o.Status >= 500));
    }
}

/// <summary>The outcome of `healthflow chaos`: what ran, what was injected, and each invariant's verdict.</summary>
public sealed record ChaosReport(
    [property: System.Text.Json.Serialization.JsonIgnore] ChaosHistory History,
    string RunId,
    int Seed,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    string CommandLine,
    string Machine,
    WorkloadCounts Workload,
    IReadOnlyList<ChaosFault> Faults,
    IReadOnlyList<InvariantResult> Invariants)
{
    private const int ViolationsListed = 50;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public int ViolationCount => Invariants.Sum(i => i.Violations.Count);

    public bool Passed => ViolationCount == 0;

    /// <summary>Writes the report, and beside it the whole history (chaos-history.json) that the checker read.</summary>
    public async Task<(string Markdown, string Json)> WriteAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var markdown = Path.Combine(directory, "chaos-report.md");
        var json = Path.Combine(directory, "chaos-report.json");
        await File.WriteAllTextAsync(markdown, ToMarkdown(), cancellationToken);
        await File.WriteAllTextAsync(json, JsonSerializer.Serialize(this, Json), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "chaos-history.json"),
            JsonSerializer.Serialize(new { History.Operations, History.Faults, History.Deliveries }, Json), cancellationToken);
        return (markdown, json);
    }

    /// <summary>The verdict in a few lines: what a console or a test failure shows first.</summary>
    public string Summary()
    {
        var w = Workload;
        var summary = new StringBuilder();
        summary.AppendLine($"chaos {RunId} (seed {Seed}): {(Passed ? "PASS" : "FAIL")}, {ViolationCount} violations, {Faults.Count} faults "
            + $"({string.Join(", ", Faults.GroupBy(f => f.Kind).Select(g => $"{g.Count()} {g.Key}"))}) in {(FinishedAt - StartedAt).TotalSeconds:0} s");
        summary.AppendLine($"  check-ins {w.CheckIns} (202 {w.CheckInsAccepted}, 4xx {w.CheckInsRefused}, unanswered {w.CheckInsUnanswered}, retries {w.CheckInRetries}); "
            + $"acks {w.Acknowledgements} (202 {w.AcknowledgementsAccepted}, 409 {w.AcknowledgementConflicts}); reads {w.Reads} (200 {w.ReadsAnswered}); "
            + $"team moves {w.TeamMoves}; stream deliveries {w.StreamDeliveries}, reconnects {w.StreamReconnects}; 5xx {w.ServerErrors}");
        foreach (var invariant in Invariants)
        {
            summary.AppendLine($"  {(invariant.Holds ? "ok  " : "FAIL")} {invariant.Name}: {invariant.Checked} checked, {invariant.Violations.Count} violations");
        }

        return summary.ToString().TrimEnd();
    }

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine($"# HealthFlow chaos {RunId}: {(Passed ? "passed" : $"**{ViolationCount} violations**")}");
        md.AppendLine();
        md.AppendLine($"Seed {Seed}, started {StartedAt:u}, finished {FinishedAt:u} on {Machine}.");
        md.AppendLine();
        md.AppendLine("```");
        md.AppendLine(CommandLine);
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine("## Invariants");
        md.AppendLine();
        md.AppendLine("| invariant | promise | checked | violations |");
        md.AppendLine("|---|---|---:|---:|");
        foreach (var invariant in Invariants)
        {
            md.AppendLine($"| {invariant.Name} | {invariant.Promise} | {invariant.Checked:N0} | {(invariant.Holds ? "0" : $"**{invariant.Violations.Count:N0}**")} |");
        }

        var w = Workload;
        md.AppendLine();
        md.AppendLine("## Workload");
        md.AppendLine();
        md.AppendLine($"- Check-ins: {w.CheckIns:N0} sent, {w.CheckInsAccepted:N0} answered 202, {w.CheckInsRefused:N0} 4xx, {w.CheckInsUnanswered:N0} unanswered (client timeout or cut), {w.CheckInRetries:N0} retries with the same Idempotency-Key.");
        md.AppendLine($"- Acknowledgements: {w.Acknowledgements:N0} sent, {w.AcknowledgementsAccepted:N0} answered 202, {w.AcknowledgementConflicts:N0} 409.");
        md.AppendLine($"- Reads (patients, observations, FHIR, lists): {w.Reads:N0}, {w.ReadsAnswered:N0} answered 200.");
        md.AppendLine($"- Care-team moves by the admin: {w.TeamMoves:N0}.");
        md.AppendLine($"- Live streams: {w.StreamDeliveries:N0} alert changes received, {w.StreamReconnects:N0} reconnects (with Last-Event-ID).");
        md.AppendLine($"- Answers 5xx: {w.ServerErrors:N0}.");
        md.AppendLine();
        md.AppendLine("## Faults");
        md.AppendLine();
        if (Faults.Count == 0)
        {
            md.AppendLine("None injected.");
        }
        else
        {
            md.AppendLine("| started | healed | fault | target | detail |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (var fault in Faults)
            {
                md.AppendLine($"| {fault.Started:HH:mm:ss.fff} | {(fault.Healed is { } healed ? healed.ToString("HH:mm:ss.fff") : "—")} | {fault.Kind} | {fault.Target} | {fault.Detail} |");
            }
        }

        foreach (var invariant in Invariants.Where(i => !i.Holds))
        {
            md.AppendLine();
            md.AppendLine($"## Violations: {invariant.Name}");
            md.AppendLine();
            foreach (var violation in invariant.Violations.Take(ViolationsListed))
            {
                md.AppendLine($"- `{violation.Id}`: {violation.Message}");
            }

            if (invariant.Violations.Count > ViolationsListed)
            {
                md.AppendLine($"- … and {invariant.Violations.Count - ViolationsListed:N0} more in chaos-report.json.");
            }
        }

        return md.ToString();
    }
}
