using System.Net.Mail;
using HealthFlow.Domain.Validation;

namespace HealthFlow.Domain.Notifications;

/// <summary>The kinds of alert event a clinician can be told about, as stored and as the API spells them.</summary>
public static class NotificationKinds
{
    /// <summary>A high-severity alert was raised (AlertRaised, severity high).</summary>
    public const string HighAlert = "high-alert";

    /// <summary>An alert stayed unacknowledged past its deadline (AlertEscalated).</summary>
    public const string Escalation = "escalation";

    /// <summary>A patient missed a scheduled check-in (AlertRaised, rule check-in-missed).</summary>
    public const string MissedCheckIn = "missed-check-in";

    public static readonly IReadOnlyList<string> All = [HighAlert, Escalation, MissedCheckIn];
}

/// <summary>The only channel so far; part of every notification's key, so a second channel is a second send, not a duplicate.</summary>
public static class NotificationChannels
{
    public const string Email = "email";
}

/// <summary>The JSON names of the settings' fields: the keys of their validation errors.</summary>
public static class NotificationSettingsFields
{
    public const string Email = "email";
    public const string Events = "events";
    public const string OnCall = "onCall";
}

/// <summary>
/// One clinician's notification settings, set by the clinician: where to send (email), what about (kinds from
/// <see cref="NotificationKinds"/>), and whether they are on call now. Only an on-call clinician is notified at all.
/// </summary>
public sealed record NotificationSettings(string Email, IReadOnlyList<string> Events, bool OnCall)
{
    /// <summary>A clinician who never set anything: no address, nothing wanted, not on call.</summary>
    public static readonly NotificationSettings None = new("", [], false);

    public bool Wants(string kind) => OnCall && Email.Length > 0 && Events.Contains(kind, StringComparer.Ordinal);
}

public static class NotificationSettingsValidator
{
    /// <summary>An address longer than this is refused (RFC 5321's path limit).</summary>
    public const int MaxEmailLength = 254;

    /// <summary>The errors by field (empty when valid): a single mailbox address, known kinds without repeats.</summary>
    public static IReadOnlyDictionary<string, string[]> Validate(string? email, IReadOnlyList<string?>? events, bool? onCall)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(email))
        {
            errors.Add(NotificationSettingsFields.Email, "An email address is required.");
        }
        else if (email.Length > MaxEmailLength || !IsSingleMailbox(email))
        {
            errors.Add(NotificationSettingsFields.Email, $"Must be one email address (name@example.org), at most {MaxEmailLength} characters.");
        }

        if (events is null)
        {
            errors.Add(NotificationSettingsFields.Events, $"Required: a list of the events to be told about (empty for none), from {string.Join(", ", NotificationKinds.All)}.");
        }
        else
        {
            foreach (var kind in events.Where(k => k is null || !NotificationKinds.All.Contains(k, StringComparer.Ordinal)))
            {
                errors.Add(NotificationSettingsFields.Events, $"Unknown event '{kind}'; one of {string.Join(", ", NotificationKinds.All)}.");
            }

            if (events.Where(k => k is not null).GroupBy(k => k).Any(g => g.Count() > 1))
            {
                errors.Add(NotificationSettingsFields.Events, "Each event at most once.");
            }
        }

        if (onCall is null)
        {
            errors.Add(NotificationSettingsFields.OnCall, "Required: true while on call, false otherwise.");
        }

        return errors.ToDictionary();
    }

    // MailAddress also accepts "Name <a@b>" and lists; only a bare address is stored, as the clinician typed it.
    private static bool IsSingleMailbox(string email) =>
        MailAddress.TryCreate(email, out var address) && address.Address == email && address.DisplayName.Length == 0 && !email.Contains(',');
}
