using System.ComponentModel.DataAnnotations;

namespace HealthFlow.Query.Api.Worklist;

/// <summary>Section "Worklist": the bounds of one GET /api/worklist.</summary>
public sealed class WorklistOptions
{
    public const string SectionName = "Worklist";

    /// <summary>
    /// The most open alerts one worklist reads, every care team's (the `open` partition is one for all and is
    /// filtered after the read), oldest first. Past it the answer says `complete: false`: the rows are those of
    /// the alerts that have waited longest, and newer open alerts are in the alert list.
    /// </summary>
    [Range(100, 50_000)]
    public int MaxOpenAlertsRead { get; set; } = 2_000;

    /// <summary>How many of a patient's newest alerts are read for the latest two NEWS2 totals (the trend).</summary>
    [Range(2, 100)]
    public int News2Lookback { get; set; } = 10;

    /// <summary>How many patients' NEWS2 lookups run at once for one worklist.</summary>
    [Range(1, 64)]
    public int News2LookupConcurrency { get; set; } = 8;
}
