using System.Diagnostics;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Notifications;
using HealthFlow.EventStore;
using Microsoft.Extensions.Options;
using UUIDNext;

namespace HealthFlow.Notifier;

/// <summary>A notification is claimed by another delivery of the same event; thrown so the event is retried after it.</summary>
public sealed class NotificationInFlightException(string key, DateTimeOffset until)
    : Exception($"Notification {key} is being sent by another delivery (claimed until {until:O}); retried after that.");

/// <summary>
/// Tells the clinicians an alert event reaches (<see cref="OnCallRecipients"/>), at most once per (alert event,
/// recipient, channel): for each, claim the intent in the ledger, send, record the outcome, append the audit record.
/// Recipients are independent: one failure does not stop the others, and a retry of the event skips those sent.
/// </summary>
public sealed class AlertNotifications(
    OnCallRecipients recipients,
    NotificationLedger ledger,
    IEmailSender email,
    IEventStore eventStore,
    IOptions<SmtpOptions> smtp,
    IOptions<NotificationOptions> options,
    NotifierMetrics metrics,
    TimeProvider timeProvider,
    ILogger<AlertNotifications> logger)
{
    /// <summary>The audit actor role of a notification: the recipient was told, by the system, not by asking.</summary>
    public const string AuditActorRole = "clinician";

    /// <summary>A fixed namespace for the audit stream of each notification, so its record is appended once however often it is retried.</summary>
    private static readonly Guid AuditNamespace = new("0d6c0a43-3c39-4b8c-9f0e-5f1d5a0e7c21");

    public async Task NotifyAsync(NotifiableEvent notifiable, IEventEnvelope cause, CancellationToken cancellationToken)
    {
        var failures = new List<Exception>();
        foreach (var recipient in await recipients.ForAsync(notifiable, cancellationToken))
        {
            var intent = new NotificationIntent(notifiable, recipient.Clinician, recipient.Address, NotificationChannels.Email, recipient.CareTeam);
            try
            {
                await NotifyOneAsync(intent, cause, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Add(e);
            }
        }

        if (failures.Count > 0)
        {
            throw new AggregateException($"{failures.Count} notification(s) of alert {notifiable.AlertId} ({notifiable.Kind}) not sent yet.", failures);
        }
    }

    private async Task NotifyOneAsync(NotificationIntent intent, IEventEnvelope cause, CancellationToken cancellationToken)
    {
        // One span per message, in the alert's trace (the consumer continues it from the event).
        using var activity = NotifierMetrics.ActivitySource.StartActivity($"notify {intent.Channel}");
        activity?.SetTag("healthflow.alert_id", intent.AlertId.ToString("D"));
        activity?.SetTag("healthflow.notification.kind", intent.Kind);
        activity?.SetTag("healthflow.notification.recipient", intent.Recipient);

        switch (await ledger.ClaimAsync(intent, options.Value.ClaimFor, cancellationToken))
        {
            case ClaimOutcome.AlreadySent:
                Outcome(activity, intent, "duplicate");
                // The audit append is idempotent: a retry after a failed one completes it.
                await AuditAsync(intent, cause, cancellationToken);
                return;
            case ClaimOutcome.HeldElsewhere held:
                Outcome(activity, intent, "held");
                throw new NotificationInFlightException(intent.Key, held.Until);
        }

        try
        {
            await email.SendAsync(AlertEmail.Compose(intent, smtp.Value.From, options.Value.ClinicianAppUrl), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Outcome(activity, intent, "failed");
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            logger.LogWarning(e, "Notification {NotificationId} was not sent; the event is retried.", intent.Key);
            await ledger.RecordFailedAsync(intent, e.Message, CancellationToken.None);
            throw;
        }

        // The one window left open: a crash here, after the server accepted the message and before this write,
        // leaves the intent pending; once its claim passes, a redelivery sends it again (README, "Notifications").
        await ledger.RecordSentAsync(intent, CancellationToken.None);
        Outcome(activity, intent, "sent");
        logger.LogInformation("Notified {Recipient} by {Channel} of {Kind} on alert {AlertId}.", intent.Recipient, intent.Channel, intent.Kind, intent.AlertId);
        await AuditAsync(intent, cause, cancellationToken);
    }

    /// <summary>
    /// The audit record: who was told (the recipient, as actor), about which patient's alert, by which channel, when.
    /// One stream per notification, "must not exist": a second append of it conflicts and is the same record.
    /// </summary>
    private async Task AuditAsync(NotificationIntent intent, IEventEnvelope cause, CancellationToken cancellationToken)
    {
        var stream = StreamId.ForAuditBatch(Uuid.NewNameBased(AuditNamespace, intent.Key));
        var record = new PatientDataAccessed(
            RecordId: Uuid.NewNameBased(AuditNamespace, "record/" + intent.Key),
            Actor: intent.Recipient,
            ActorRole: AuditActorRole,
            PatientId: intent.Event.PatientId,
            Action: $"notified:{intent.Channel}:{intent.Kind}",
            ResourceIds: [$"Flag/{intent.AlertId:D}"],
            Count: 1,
            Outcome: "allowed",
            ClientAddress: null,
            AccessedAt: timeProvider.GetUtcNow(),
            CorrelationId: cause.Metadata.CorrelationId);
        try
        {
            await eventStore.AppendDurableAsync(stream, ExpectedVersion.NoStream, [record], EventMetadataFactory.CausedBy(cause), cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Recorded by an earlier attempt.
        }
    }

    private void Outcome(Activity? activity, NotificationIntent intent, string outcome)
    {
        activity?.SetTag("healthflow.notification.outcome", outcome);
        metrics.Counted(intent.Kind, intent.Channel, outcome);
    }
}
