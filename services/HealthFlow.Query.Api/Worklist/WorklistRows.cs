using HealthFlow.Domain.Alerts;
using HealthFlow.ReadModels;

namespace HealthFlow.Query.Api.Worklist;

/// <summary>
/// One patient in the clinician's triage worklist: what their open alerts add up to. Each alert stays its own record
/// (one per check-in); the row only summarises them.
/// </summary>
/// <param name="HighestSeverity">The most urgent severity among the open alerts.</param>
/// <param name="OpenAlerts">How many alerts are open (unacknowledged).</param>
/// <param name="Escalated">Whether any open alert has been escalated.</param>
/// <param name="LatestNews2">The NEWS2 total of the patient's newest alert that carries one, open or not.</param>
/// <param name="PreviousNews2">The NEWS2 total of the alert before that one that carries one.</param>
/// <param name="News2Trend">`up`, `down` or `same` from the previous total to the latest; null without both.</param>
/// <param name="OldestOpenRaisedAt">When the open alert that has waited longest was raised.</param>
/// <param name="MissedCheckIns">How many open alerts are for a missed check-in (rule `check-in-missed`).</param>
public sealed record WorklistRow(
    Guid PatientId,
    string PatientName,
    string HighestSeverity,
    int OpenAlerts,
    bool Escalated,
    int? LatestNews2,
    int? PreviousNews2,
    string? News2Trend,
    DateTimeOffset OldestOpenRaisedAt,
    int MissedCheckIns);

/// <summary>The worklist: rows most urgent first, how many patients have open alerts, and whether every open alert was read.</summary>
/// <param name="TotalPatients">Patients with open alerts, including those past the answer's limit.</param>
/// <param name="Complete">False when the read bound (Worklist:MaxOpenAlertsRead) ended the reading of open alerts.</param>
public sealed record WorklistPage(IReadOnlyList<WorklistRow> Items, int TotalPatients, bool Complete);

/// <summary>The aggregation of open alerts into rows, in memory; no I/O.</summary>
public static class WorklistRows
{
    public const string TrendUp = "up";
    public const string TrendDown = "down";
    public const string TrendSame = "same";

    /// <summary>A patient's open alerts and the alerts their NEWS2 totals came from (newest first).</summary>
    public sealed record PatientAlerts(Guid PatientId, IReadOnlyList<AlertView> Open, IReadOnlyList<AlertView> News2Sources)
    {
        /// <summary>Every alert the row is made from: what the audit record of the row names.</summary>
        public IReadOnlyList<string> ResourceIds => [.. Open.Concat(News2Sources).Select(a => a.AlertId.ToString()).Distinct()];
    }

    /// <summary>Open alerts grouped by patient, most urgent first: highest severity, then longest waiting.</summary>
    public static IReadOnlyList<IGrouping<Guid, AlertView>> ByUrgency(IEnumerable<AlertView> openAlerts) =>
        [.. openAlerts
            .Where(a => a.Status == AlertStatuses.Open)
            .GroupBy(a => a.PatientId)
            .OrderBy(g => g.Min(a => Severities.Rank(a.Severity)))
            .ThenBy(g => g.Min(a => a.RaisedAt))
            .ThenBy(g => g.Key)];

    /// <summary>The latest two NEWS2-carrying alerts of a patient's alerts read newest first.</summary>
    public static IReadOnlyList<AlertView> News2Sources(IEnumerable<AlertView> newestFirst) =>
        [.. newestFirst.Where(a => a.News2 is not null).Take(2)];

    public static WorklistRow Row(PatientAlerts patient)
    {
        var open = patient.Open;
        var newest = open.MaxBy(a => a.RaisedAt)!;
        int? latest = patient.News2Sources.Count > 0 ? patient.News2Sources[0].News2 : null;
        int? previous = patient.News2Sources.Count > 1 ? patient.News2Sources[1].News2 : null;
        return new WorklistRow(
            patient.PatientId,
            newest.PatientName,
            open.MinBy(a => Severities.Rank(a.Severity))!.Severity,
            open.Count,
            open.Any(a => a.Escalated),
            latest,
            previous,
            Trend(latest, previous),
            open.Min(a => a.RaisedAt),
            open.Count(a => a.Rules.Contains(AlertRules.CheckInMissed)));
    }

    private static string? Trend(int? latest, int? previous) => (latest, previous) switch
    {
        ({ } l, { } p) when l > p => TrendUp,
        ({ } l, { } p) when l < p => TrendDown,
        ({ }, { }) => TrendSame,
        _ => null,
    };
}
