using HealthFlow.Domain.Notifications;
using MimeKit;

namespace HealthFlow.Notifier;

/// <summary>
/// The email for one notification. It names the care team, the severity and the kind of event, and links to the alert
/// in the clinician app; the patient's name, readings and reasons are shown only there, after sign-in. It is built from
/// <see cref="NotificationIntent"/> alone, which holds none of them, so no health data can leak into a mailbox.
/// </summary>
public static class AlertEmail
{
    public static MimeMessage Compose(NotificationIntent intent, string from, string clinicianAppUrl)
    {
        var what = intent.Kind switch
        {
            NotificationKinds.HighAlert => "A high-severity alert was raised",
            NotificationKinds.Escalation => $"An alert (severity {intent.Event.Severity}) is still unacknowledged and was escalated (level {intent.Event.Level})",
            NotificationKinds.MissedCheckIn => "A patient missed a scheduled check-in",
            _ => $"An alert event ({intent.Kind})",
        };
        var link = $"{clinicianAppUrl.TrimEnd('/')}/patients/{intent.Event.PatientId:D}?alert={intent.AlertId:D}";
        var message = new MimeMessage
        {
            MessageId = intent.MessageId,
            Subject = $"HealthFlow: {Title(intent.Kind)} ({intent.Event.Severity}) - {intent.CareTeam}",
            Body = new TextPart("plain")
            {
                Text = $"""
                    {what} for a patient of your care team {intent.CareTeam}.

                    Open it in the clinician app: {link}

                    The patient's details are shown after you sign in; they are never sent by email.
                    You receive this because you are on call (notification settings in the clinician app).
                    """,
            },
        };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(intent.Address));
        return message;
    }

    private static string Title(string kind) => kind switch
    {
        NotificationKinds.HighAlert => "high alert",
        NotificationKinds.Escalation => "escalated alert",
        NotificationKinds.MissedCheckIn => "missed check-in",
        _ => kind,
    };
}
