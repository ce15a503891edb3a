using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;
using Microsoft.Extensions.Logging;

namespace HealthFlow.ReadModels.Projections;

/// <summary>
/// AlertRaised, AlertAcknowledged and AlertEscalated → `alerts`, with the patient's display name copied onto the item
/// so the alert list needs no join.
/// </summary>
/// <remarks>
/// Events of different queues and streams arrive in no guaranteed order, so both lookups fall back to
/// the event store, the source of truth, instead of failing the message:
/// <list type="bullet">
/// <item>The patient row may not be projected yet (patient-projection lags or is being replayed). The
/// name is then read from PatientRegistered, version 1 of patient-{id}. Failing the message instead would
/// delay the alert by a visibility timeout per attempt and, after five, park it in the DLQ: a clinician
/// would miss an alert because of a lag elsewhere.</item>
/// <item>An acknowledgement or an escalation may be delivered before its AlertRaised. The AlertRaised of
/// alert-{id} is then read from the store and applied first.</item>
/// </list>
/// So the projections worker may Query the `patient-` and `alert-` streams, read only: a deliberate grant in
/// HealthFlowAccess.Projections, which the CDK and LocalAws both enforce.
/// Every write also feeds the clinicians' live stream, so a late one is stamped again (AlertFeedStamps).
/// </remarks>
public sealed class AlertProjection(
    AlertWrites alerts,
    AlertFeedStamps feedStamps,
    PatientReadModel patients,
    IEventStreamReader eventStore,
    TimeProvider timeProvider,
    ILogger<AlertProjection> logger)
    : ReadModelProjection, IProjects<AlertRaised>, IProjects<AlertAcknowledged>, IProjects<AlertEscalated>
{
    public const string ReadModelName = "alerts";

    public override string Name => ReadModelName;

    public Task<ProjectionOutcome> ApplyAsync(EventEnvelope<AlertRaised> envelope, CancellationToken cancellationToken) =>
        StampedAsync(envelope, ct => ApplyRaisedAsync(envelope, ct), cancellationToken);

    public Task<ProjectionOutcome> ApplyAsync(EventEnvelope<AlertAcknowledged> envelope, CancellationToken cancellationToken) =>
        StampedAsync(envelope, ct => ApplyToRaisedAsync(envelope.Event.AlertId, envelope, c => alerts.ApplyAcknowledgedAsync(envelope.Event, envelope.Version, c), ct), cancellationToken);

    public Task<ProjectionOutcome> ApplyAsync(EventEnvelope<AlertEscalated> envelope, CancellationToken cancellationToken) =>
        StampedAsync(envelope, ct => ApplyToRaisedAsync(envelope.Event.AlertId, envelope, c => alerts.ApplyEscalatedAsync(envelope.Event, envelope.Version, c), ct), cancellationToken);

    // Every write also feeds the clinicians' live stream: a write that landed late is stamped again.
    private async Task<ProjectionOutcome> StampedAsync(
        IEventEnvelope envelope, Func<CancellationToken, Task<ProjectionOutcome>> apply, CancellationToken cancellationToken)
    {
        var writeStarted = timeProvider.GetTimestamp();
        var outcome = await apply(cancellationToken);
        if (outcome == ProjectionOutcome.Applied)
        {
            await feedStamps.EnsureLandedInTimeAsync(AlertIdOf(envelope), envelope.Version, writeStarted, cancellationToken);
        }
        else if (outcome == ProjectionOutcome.Duplicate)
        {
            // A redelivery: the first delivery may have landed late and stopped before it could restamp.
            await feedStamps.RestampAsync(AlertIdOf(envelope), envelope.Version, cancellationToken);
        }

        return outcome;
    }

    private async Task<ProjectionOutcome> ApplyRaisedAsync(EventEnvelope<AlertRaised> envelope, CancellationToken cancellationToken)
    {
        var raised = envelope.Event;
        var patientName = await PatientNameAsync(raised.PatientId, cancellationToken);
        return Outcome(await alerts.ApplyRaisedAsync(raised, patientName, envelope.StreamId, envelope.Version, cancellationToken));
    }

    // A change to an alert's item needs the item: when its AlertRaised has not been projected yet, it is read from the store first.
    private async Task<ProjectionOutcome> ApplyToRaisedAsync(
        Guid alertId, IEventEnvelope envelope, Func<CancellationToken, Task<AcknowledgementApplied>> apply, CancellationToken cancellationToken)
    {
        var result = await apply(cancellationToken);
        if (result == AcknowledgementApplied.AlertNotProjectedYet)
        {
            logger.LogInformation("{EventType} of alert {AlertId} arrived before its AlertRaised was projected; catching up from the store.", envelope.Type, alertId);
            await foreach (var earlier in eventStore.ReadStreamAsync(StreamId.ForAlert(alertId), 1, cancellationToken))
            {
                if (earlier.Version >= envelope.Version)
                {
                    break;
                }

                if (earlier.Type == Domain.Events.EventTypes.AlertRaised)
                {
                    await ApplyRaisedAsync(earlier.As<AlertRaised>(), cancellationToken);
                }
            }

            result = await apply(cancellationToken);
        }

        return result switch
        {
            AcknowledgementApplied.Applied => ProjectionOutcome.Applied,
            AcknowledgementApplied.Duplicate => ProjectionOutcome.Duplicate,
            // Only possible if the store has no AlertRaised either: fail, so the message is retried and,
            // if it never resolves, kept in the DLQ for an operator.
            _ => throw new InvalidOperationException($"Alert {alertId} has no AlertRaised in the event store."),
        };
    }

    private static Guid AlertIdOf(IEventEnvelope envelope) => Guid.Parse(envelope.StreamId.AsSpan(StreamId.AlertPrefix.Length));

    private async Task<string> PatientNameAsync(Guid patientId, CancellationToken cancellationToken)
    {
        if (await patients.GetDisplayNameAsync(patientId, cancellationToken) is { } name)
        {
            return name;
        }

        await foreach (var envelope in eventStore.ReadStreamAsync(StreamId.ForPatient(patientId), 1, cancellationToken))
        {
            if (envelope.Type == Domain.Events.EventTypes.PatientRegistered)
            {
                return envelope.DataAs<PatientRegistered>().DisplayName;
            }
        }

        throw new InvalidOperationException($"Patient {patientId} has no PatientRegistered event; the alert cannot name the patient.");
    }
}
