using HealthFlow.Domain.Notifications;
using UUIDNext;

namespace HealthFlow.Notifier;

/// <summary>
/// One message to send: an alert event, told to one clinician, by one channel, naming one of the patient's care teams.
/// Everything in it may appear in a message: no patient name, reading or reason is ever part of it.
/// </summary>
public sealed record NotificationIntent(NotifiableEvent Event, string Recipient, string Address, string Channel, string CareTeam)
{
    /// <summary>A fixed namespace for message ids. Changing it would give a resent message a new Message-ID.</summary>
    private static readonly Guid MessageIdNamespace = new("6f1f4f2e-8f5d-4d53-9a57-2c1e4a7c0b11");

    public string Key => Event.KeyFor(Recipient, Channel);

    public Guid AlertId => Event.AlertId;

    public string Kind => Event.Kind;

    /// <summary>
    /// The same Message-ID for every attempt of one key (a UUIDv5 of it), so a copy sent again in the one window the
    /// ledger cannot close carries the id of the first and a mail client can tell it for the same message.
    /// </summary>
    public string MessageId => $"{Uuid.NewNameBased(MessageIdNamespace, Key):N}@healthflow.notifier";
}
