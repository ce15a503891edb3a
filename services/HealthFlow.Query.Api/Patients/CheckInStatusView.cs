using HealthFlow.Domain.Monitoring;
using HealthFlow.ReadModels;

namespace HealthFlow.Query.Api.Patients;

/// <summary>
/// A patient's check-in status under their schedule at <see cref="AsOf"/>: the window the next check-in counts for
/// (<see cref="DueAt"/>, accepted late until <see cref="GraceEndsAt"/>), whether a check-in is overdue, and the
/// latest check-in the read model holds. <see cref="TimeZone"/> is the plan's, for showing the times as the patient's clock reads.
/// </summary>
public sealed record CheckInStatusView(
    Guid PatientId,
    int PlanVersion,
    string TimeZone,
    DateTimeOffset DueAt,
    DateTimeOffset GraceEndsAt,
    bool Overdue,
    DateTimeOffset? OverdueDueAt,
    DateTimeOffset? LastCheckInAt,
    DateTimeOffset AsOf) : IPatientRecord
{
    Guid IPatientRecord.ResourceId => PatientId;

    /// <summary>The status of a plan with a schedule; null when the plan has none (no check-in is expected).</summary>
    public static CheckInStatusView? From(PlanAndLastCheckIn read, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (read.Plan.Plan.Schedule is not { } schedule)
        {
            return null;
        }

        var status = CheckInStatus.At(schedule, read.Plan.SetAt, read.LastCheckInAt, now);
        return new CheckInStatusView(
            read.Plan.PatientId, read.Plan.Version, schedule.TimeZone, status.Next.DueAt, status.Next.Deadline,
            status.Overdue, status.OverdueDueAt, read.LastCheckInAt, now);
    }
}
