using System.Security.Claims;
using HealthFlow.PatientAccess;
using HealthFlow.EventStore;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.ServiceDefaults.Authentication;

namespace HealthFlow.Command.Api.Alerts;

/// <summary>A clinician takes responsibility for an alert, with an optional note.</summary>
public sealed record AcknowledgeAlert(Guid AlertId, ClaimsPrincipal Clinician, string? Note, string CorrelationId);

/// <summary>What became of an acknowledgement.</summary>
public abstract record AcknowledgeResult
{
    private AcknowledgeResult()
    {
    }

    /// <summary>Appended: the clinician took responsibility for the alert.</summary>
    public sealed record Acknowledged(AlertAcknowledged Event) : AcknowledgeResult;

    /// <summary>Someone acknowledged it before (answered 409, naming them).</summary>
    public sealed record AlreadyAcknowledged(string AcknowledgedBy, DateTimeOffset AcknowledgedAt) : AcknowledgeResult;

    /// <summary>Every attempt met a newer stream (not expected: see <see cref="AlertCommands.MaxAttempts"/>); nothing was appended.</summary>
    public sealed record StillChanging : AcknowledgeResult;

    /// <summary>The input was refused; the errors are keyed by camelCase field name.</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : AcknowledgeResult;

    /// <summary>No such alert.</summary>
    public sealed record UnknownAlert : AcknowledgeResult;

    /// <summary>The alert's patient is outside the clinician's care teams: for them the alert does not exist.</summary>
    public sealed record OutOfScope(Guid PatientId) : AcknowledgeResult;
}

/// <summary>The commands on alert-{id}: read the stream, decide on <see cref="AlertState"/>, append at the version read.</summary>
public sealed class AlertCommands(IEventStore eventStore, PatientScopes scopes, TimeProvider timeProvider, CommandMetrics metrics)
{
    /// <summary>
    /// How often an acknowledgement is decided again after its append conflicted. An alert stream holds at most
    /// AlertRaised, one AlertEscalated and one AlertAcknowledged, so after two conflicts the decision is final.
    /// </summary>
    public const int MaxAttempts = 3;

    public async Task<AcknowledgeResult> AcknowledgeAsync(AcknowledgeAlert command, CancellationToken cancellationToken)
    {
        var errors = AcknowledgementValidator.Validate(command.Note);
        if (errors.Count > 0)
        {
            return new AcknowledgeResult.Invalid(errors);
        }

        if (await LoadAsync(eventStore, command.AlertId, cancellationToken) is not { } alert)
        {
            return new AcknowledgeResult.UnknownAlert();
        }

        if (!await scopes.MayReadAsync(command.Clinician, alert.PatientId, cancellationToken))
        {
            return new AcknowledgeResult.OutOfScope(alert.PatientId);
        }

        var clinician = command.Clinician.GetUserId();
        var metadata = EventMetadataFactory.FromCurrentActivity(command.CorrelationId, userId: clinician);
        var result = await DecideAndAppendAsync(eventStore, alert, clinician, command.Note, timeProvider.GetUtcNow(), metadata, cancellationToken);
        if (result is AcknowledgeResult.Acknowledged)
        {
            metrics.AlertAcknowledged();
        }

        return result;
    }

    /// <summary>An alert's stream, folded; null for an unknown alert.</summary>
    public static async Task<AlertState?> LoadAsync(IEventStreamReader events, Guid alertId, CancellationToken cancellationToken) =>
        (await events.LoadAsync<AlertState?>(StreamId.ForAlert(alertId), null, AlertState.Evolve, cancellationToken)).State;

    /// <summary>
    /// Decides on <paramref name="alert"/> and appends at its version. A conflict means the stream moved on since it
    /// was read: an escalation (the alert is still open, and still needs acknowledging) or another clinician's
    /// acknowledgement. Either way the stream is read again and the decision taken again, so the answer is what the
    /// stream says, never a guess.
    /// </summary>
    public static async Task<AcknowledgeResult> DecideAndAppendAsync(
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

            alert = await LoadAsync(eventStore, alert.AlertId, cancellationToken)
                ?? throw new InvalidOperationException($"Alert {alert.AlertId} was read before and is gone now.");
        }
    }
}
