using HealthFlow.Domain.Events;

namespace HealthFlow.Domain.CheckIns;

/// <summary>
/// A check-in as <c>POST /api/observations</c> takes it: the measurements, flat, with the optional time they were
/// taken and the patient's note. command-api documents its body with it (it validates the raw JSON with
/// <see cref="CheckInValidator"/>); the CLI sends it.
/// </summary>
public sealed record CheckInBody : VitalSigns
{
    /// <summary>When the measurements were taken; absent means "now".</summary>
    public DateTimeOffset? MeasuredAt { get; init; }

    public string? Note { get; init; }
}
