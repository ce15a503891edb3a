using HealthFlow.Domain;
using HealthFlow.Domain.CheckIns;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;

namespace HealthFlow.Command.Api.Observations;

/// <summary>A validated check-in of the patient named by the token.</summary>
public sealed record SubmitObservation(
    Guid PatientId,
    string UserId,
    CheckIn CheckIn,
    string? IdempotencyKey,
    string RequestHash,
    string CorrelationId);

public abstract record SubmissionResult
{
    private SubmissionResult()
    {
    }

    /// <summary>
    /// Appended now, or by an earlier request with the same key and body; then <paramref name="Stored"/> is that
    /// request's check-in, so a FHIR conditional create can answer with the resource that exists.
    /// </summary>
    public sealed record Accepted(Guid ObservationId, ObservationSubmitted? Stored = null) : SubmissionResult;

    /// <summary>The key was used before for a different body: <paramref name="Stored"/> is the check-in stored under it.</summary>
    public sealed record KeyReused(ObservationSubmitted Stored) : SubmissionResult;
}

/// <summary>
/// Appends ObservationSubmitted as the first and only commit of its own stream, observation-{id}.
/// </summary>
/// <remarks>
/// The stream is the idempotency record. With an Idempotency-Key the id is a UUIDv5 of (patient, key),
/// so a retry names the same stream, and "the stream must not exist" lets exactly one of any number of
/// concurrent or late retries append. The others read the commit that won: the same body hash means the
/// same request, answered with the same observationId; another hash means the key was reused. Nothing
/// else is written, locked or leased, and no crash between steps can leave a half-done record behind:
/// the single conditional put is the whole command.
/// A token is issued only to a registered patient, so the patient's stream is never read here.
/// </remarks>
public sealed class ObservationSubmitter(IEventStore eventStore, CommandMetrics metrics, TimeProvider timeProvider)
{
    public async Task<SubmissionResult> SubmitAsync(SubmitObservation command, CancellationToken cancellationToken)
    {
        var observationId = ObservationId.For(command.PatientId, command.IdempotencyKey);
        var stream = StreamId.ForObservation(observationId);
        var checkIn = command.CheckIn;
        var submitted = new ObservationSubmitted(
            observationId, command.PatientId, checkIn.Vitals, checkIn.MeasuredAt, timeProvider.GetUtcNow(), checkIn.Note);
        var metadata = EventMetadataFactory.FromCurrentActivity(command.CorrelationId, userId: command.UserId)
            with { RequestHash = command.RequestHash };

        try
        {
            await eventStore.AppendAsync(stream, ExpectedVersion.NoStream, [submitted], metadata, cancellationToken);
            metrics.ObservationAccepted();
            return new SubmissionResult.Accepted(observationId);
        }
        catch (ConcurrencyConflictException)
        {
            return await AnswerRetryAsync(stream, observationId, command.RequestHash, cancellationToken);
        }
    }

    private async Task<SubmissionResult> AnswerRetryAsync(
        StreamId stream, Guid observationId, string requestHash, CancellationToken cancellationToken)
    {
        await foreach (var first in eventStore.ReadStreamAsync(stream, 1, cancellationToken))
        {
            var stored = first.DataAs<ObservationSubmitted>();
            return first.Metadata.RequestHash == requestHash
                ? new SubmissionResult.Accepted(observationId, stored)
                : new SubmissionResult.KeyReused(stored);
        }

        // A conflict means the commit exists, and commits are never deleted.
        throw new InvalidOperationException($"Stream {stream} conflicted on its first commit but holds none.");
    }
}
