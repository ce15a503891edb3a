using HealthFlow.Aws.EventStore;
using HealthFlow.Aws.Messaging;
using HealthFlow.Aws.ReadModels;
using HealthFlow.Domain;
using HealthFlow.Domain.CheckIns;
using HealthFlow.Domain.Events;

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

    public sealed record Accepted(Guid ObservationId) : SubmissionResult;

    /// <summary>The key was used before for a different body.</summary>
    public sealed record KeyReused : SubmissionResult;

    /// <summary>The first request with this key is still being processed.</summary>
    public sealed record InProgress : SubmissionResult;

    /// <summary>The token's patient has no stream (it would start with a check-in instead of PatientRegistered).</summary>
    public sealed record PatientNotRegistered : SubmissionResult;

    /// <summary>Other writers kept winning the stream's next version.</summary>
    public sealed record Contended : SubmissionResult;
}

/// <summary>
/// Appends ObservationSubmitted to patient-{id}, exactly once per Idempotency-Key.
/// </summary>
/// <remarks>
/// Idempotency without transactions, in three steps around the append:
/// <list type="number">
/// <item>Reserve: a conditional put of {key → observationId, body hash, status pending, a lease, the
/// stream version read before appending}. Of two concurrent requests with one key, exactly one reserves;
/// the other waits (briefly, polling) for the first to complete and then returns the same answer, or 409
/// if it is still in progress.</item>
/// <item>Append the event, carrying the reserved observationId.</item>
/// <item>Complete the record. Retries now return the stored observationId and append nothing.</item>
/// </list>
/// If the process dies between reserve and complete, the record stays pending. Once its lease has run
/// out, a retry takes it over (conditional on the lease it read, so only one retry does) and looks for
/// the reserved observationId in the stream after the recorded version: found means the append happened
/// and only completion was lost; not found means the append never happened and is done now. The lease
/// (30 s) is far longer than an append takes, so a live first request is never overtaken.
/// </remarks>
public sealed class ObservationSubmitter(
    IEventStore eventStore,
    IdempotencyStore idempotencyKeys,
    StreamLocks streamLocks,
    KnownStreamVersions knownVersions,
    CommandMetrics metrics,
    TimeProvider timeProvider,
    ILogger<ObservationSubmitter> logger)
{
    private const int MaxAppendAttempts = 10;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Retention = TimeSpan.FromHours(24);
    private static readonly TimeSpan WaitForFirstRequest = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public async Task<SubmissionResult> SubmitAsync(SubmitObservation command, CancellationToken cancellationToken)
    {
        var stream = StreamId.ForPatient(command.PatientId);
        if (command.IdempotencyKey is null)
        {
            return await AppendAsync(stream, Guid.CreateVersion7(), command, cancellationToken);
        }

        var key = $"{command.UserId}:{command.IdempotencyKey}";
        var baseVersion = knownVersions.Get(stream.Value) ?? await eventStore.GetVersionAsync(stream, cancellationToken);
        var observationId = Guid.CreateVersion7();
        var (reserved, existing) = await idempotencyKeys.TryReserveAsync(
            new IdempotencyRecord(key, command.RequestHash, observationId.ToString(), IdempotencyStatus.Pending, timeProvider.GetUtcNow() + Lease, baseVersion),
            Retention,
            cancellationToken);

        return reserved
            ? await AppendAndCompleteAsync(stream, observationId, key, command, cancellationToken)
            : await ResolveRetryAsync(stream, key, existing, command, cancellationToken);
    }

    private async Task<SubmissionResult> ResolveRetryAsync(
        StreamId stream, string key, IdempotencyRecord? record, SubmitObservation command, CancellationToken cancellationToken)
    {
        var deadline = timeProvider.GetUtcNow() + WaitForFirstRequest;
        while (record is not null)
        {
            if (record.RequestHash != command.RequestHash)
            {
                return new SubmissionResult.KeyReused();
            }

            if (record.Status == IdempotencyStatus.Completed)
            {
                return new SubmissionResult.Accepted(Guid.Parse(record.ResultId));
            }

            var now = timeProvider.GetUtcNow();
            if (record.LeaseUntil <= now && await idempotencyKeys.TryTakeOverAsync(record, now + Lease, cancellationToken))
            {
                var observationId = Guid.Parse(record.ResultId);
                logger.LogWarning("Taking over Idempotency-Key record for observation {ObservationId} whose request did not complete.", observationId);
                if (await StreamContainsAsync(stream, record.BaseVersion, observationId, cancellationToken))
                {
                    await idempotencyKeys.CompleteAsync(key, cancellationToken);
                    return new SubmissionResult.Accepted(observationId);
                }

                return await AppendAndCompleteAsync(stream, observationId, key, command, cancellationToken);
            }

            if (now >= deadline)
            {
                return new SubmissionResult.InProgress();
            }

            await Task.Delay(PollInterval, timeProvider, cancellationToken);
            record = await idempotencyKeys.GetAsync(key, cancellationToken);
        }

        // The record expired and was deleted between the failed reservation and the read: treat as new.
        return await SubmitAsync(command, cancellationToken);
    }

    private async Task<SubmissionResult> AppendAndCompleteAsync(
        StreamId stream, Guid observationId, string key, SubmitObservation command, CancellationToken cancellationToken)
    {
        var result = await AppendAsync(stream, observationId, command, cancellationToken);
        if (result is SubmissionResult.Accepted)
        {
            await idempotencyKeys.CompleteAsync(key, cancellationToken);
        }

        return result;
    }

    private async Task<SubmissionResult> AppendAsync(StreamId stream, Guid observationId, SubmitObservation command, CancellationToken cancellationToken)
    {
        var checkIn = command.CheckIn;
        var submitted = new ObservationSubmitted(
            observationId, command.PatientId, checkIn.Vitals, checkIn.MeasuredAt, timeProvider.GetUtcNow(), checkIn.Note);
        var metadata = EventMetadataFactory.FromCurrentActivity(command.CorrelationId, userId: command.UserId);

        using (await streamLocks.AcquireAsync(stream.Value, cancellationToken))
        {
            for (var attempt = 1; attempt <= MaxAppendAttempts; attempt++)
            {
                var version = knownVersions.Get(stream.Value) ?? await eventStore.GetVersionAsync(stream, cancellationToken);
                if (version == ExpectedVersion.NoStream)
                {
                    return new SubmissionResult.PatientNotRegistered();
                }

                try
                {
                    var appended = await eventStore.AppendAsync(stream, version, [submitted], metadata, cancellationToken);
                    knownVersions.Set(stream.Value, appended.Version);
                    metrics.ObservationAccepted();
                    return new SubmissionResult.Accepted(observationId);
                }
                catch (ConcurrencyConflictException)
                {
                    // Another instance appended to this patient's stream (or the known version was stale):
                    // back off with jitter, read the version, retry.
                    knownVersions.Forget(stream.Value);
                    if (attempt > 1)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), timeProvider, cancellationToken);
                    }
                }
            }
        }

        return new SubmissionResult.Contended();
    }

    private async Task<bool> StreamContainsAsync(StreamId stream, long afterVersion, Guid observationId, CancellationToken cancellationToken)
    {
        await foreach (var envelope in eventStore.ReadStreamAsync(stream, afterVersion + 1, cancellationToken))
        {
            if (envelope.Type == EventTypes.ObservationSubmitted && envelope.DataAs<ObservationSubmitted>().ObservationId == observationId)
            {
                return true;
            }
        }

        return false;
    }
}
