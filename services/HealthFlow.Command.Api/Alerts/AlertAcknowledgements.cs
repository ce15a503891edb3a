using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.EventStore;

namespace HealthFlow.Command.Api.Alerts;

/// <summary>What became of an acknowledgement.</summary>
public abstract record AcknowledgeResult
{
    private AcknowledgeResult()
    {
    }

    /// <summary>Appended: the clinician took responsibility for the alert.</summary>
    public sealed record Acknowledged(Domain.Events.AlertAcknowledged Event) : AcknowledgeResult;

    /// <summary>Someone acknowledged it before (answered 409, naming them).</summary>
    public sealed record AlreadyAcknowledged(string AcknowledgedBy, DateTimeOffset AcknowledgedAt) : AcknowledgeResult;

    /// <summary>Every attempt met a newer stream (not expected: see <see cref="AlertAcknowledgements.MaxAttempts"/>); nothing was appended.</summary>
    public sealed record StillChanging : AcknowledgeResult;
}

/// <summary>Decides an acknowledgement on the alert's stream (<see cref="AlertState.Acknowledge"/>) and appends it.</summary>
public static class AlertAcknowledgements
{
    /// <summary>Reads an alert's stream and folds it; null for an unknown alert.</summary>
    public static async Task<AlertState?> ReadAsync(IEventStore eventStore, Guid alertId, CancellationToken cancellationToken)
    {
        var events = new List<EventEnvelope>();
        await foreach (var envelope in eventStore.ReadStreamAsync(StreamId.ForAlert(alertId), 1, cancellationToken))
        {
            events.Add(envelope);
        }

        return AlertState.From(events);
    }

    /// <summary>
    /// How often an acknowledgement is decided again after its append conflicted. An alert stream holds at most
    /// AlertRaised, one AlertEscalated and one AlertAcknowledged, so after two conflicts the decision is final.
    /// </summary>
    public const int MaxAttempts = 3;

    /// <summary>
    /// Decides on <paramref name="alert"/> and appends at its version. A conflict means the stream moved on since it
    /// was read: an escalation (the alert is still open, and still needs acknowledging) or another clinician's
    /// acknowledgement. Either way the stream is read again and the decision taken again, so the answer is what the
    /// stream says, never a guess.
    /// </summary>
    public static async Task<AcknowledgeResult> AcknowledgeAsync(
        IEventStore eventStore,
        AlertState alert,
        string clinician,
        string? note,
        DateTimeOffset now,
        EventMetadata metadata,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            switch (alert.Acknowledge(clinician, note, now))
            {
                case AcknowledgeOutcome.AlreadyAcknowledged already:
                    return new AcknowledgeResult.AlreadyAcknowledged(already.AcknowledgedBy, already.AcknowledgedAt);

                case AcknowledgeOutcome.Acknowledged acknowledged:
                    try
                    {
                        await eventStore.AppendAsync(StreamId.ForAlert(alert.AlertId), alert.Version, [acknowledged.Event], metadata, cancellationToken);
                        return new AcknowledgeResult.Acknowledged(acknowledged.Event);
                    }
                    catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
                    {
                        break;
                    }
                    catch (ConcurrencyConflictException)
                    {
                        return new AcknowledgeResult.StillChanging();
                    }

                default:
                    throw new InvalidOperationException("Unknown acknowledgement outcome.");
            }

            alert = await ReadAsync(eventStore, alert.AlertId, cancellationToken)
                ?? throw new InvalidOperationException($"Alert {alert.AlertId} was read before and is gone now.");
        }
    }
}
