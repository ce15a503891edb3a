using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;

namespace HealthFlow.Domain.Notifications;

/// <summary>
/// What one alert event is worth telling, decided from the event alone: its kind, and the part of the key that
/// names the event (an alert is raised once, but escalated once per level). Null: the event pages no one
/// (a medium alert, say); the clinician app shows it as before.
/// </summary>
public sealed record NotifiableEvent(Guid AlertId, Guid PatientId, string Kind, string EventKey, string Severity, int? Level)
{
    public static NotifiableEvent? From(AlertRaised raised) =>
        raised.Rule == AlertRules.CheckInMissed
            ? new(raised.AlertId, raised.PatientId, NotificationKinds.MissedCheckIn, "raised", raised.Severity, null)
            : raised.Severity == Severities.High
                ? new(raised.AlertId, raised.PatientId, NotificationKinds.HighAlert, "raised", raised.Severity, null)
                : null;

    public static NotifiableEvent From(AlertEscalated escalated) =>
        new(escalated.AlertId, escalated.PatientId, NotificationKinds.Escalation, $"escalated-{escalated.Level}", escalated.Severity, escalated.Level);

    /// <summary>
    /// Whether a clinician with these settings is told. Every kind reaches on-call clinicians only. A high alert or a
    /// missed check-in goes to those who chose that kind; an escalation goes to every on-call clinician of the teams
    /// with an address, whatever they chose: it exists because the first page went unanswered, so it must not depend
    /// on the same opt-in that may have left the alert unseen.
    /// </summary>
    public bool Reaches(NotificationSettings settings) =>
        Kind == NotificationKinds.Escalation
            ? settings.OnCall && settings.Email.Length > 0
            : settings.Wants(Kind);

    /// <summary>The key of one message: at most one is sent per (alert event, recipient, channel).</summary>
    public string KeyFor(string clinician, string channel) => $"{AlertId:D}#{EventKey}#{clinician}#{channel}";
}
