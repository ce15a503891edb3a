using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Amazon.DynamoDBv2;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HealthFlow.PatientAccess;

/// <summary>Section "Audit".</summary>
public sealed class AuditOptions
{
    public const string SectionName = "Audit";

    /// <summary>The most records one group commit holds (one event-store item, well under DynamoDB's 400 KB).</summary>
    [Range(1, 200)]
    public int MaxRecordsPerCommit { get; set; } = 50;

    /// <summary>
    /// Group commits in flight at once. A request that arrives while one is being stored need not wait for it
    /// to finish before its own starts; while all are busy, records gather into the next, larger commit.
    /// </summary>
    [Range(1, 16)]
    public int MaxCommitsInFlight { get; set; } = 4;

    /// <summary>
    /// How long a response waits for its records to be stored before it is refused (503) instead: patient data
    /// is never handed out without its audit record.
    /// </summary>
    [Range(100, 60_000)]
    public int MaxWaitMilliseconds { get; set; } = 5_000;

    /// <summary>
    /// The most bytes of resource ids one record lists. A larger disclosure (a long-monitored patient's
    /// $everything) lists the ids that fit and summarises the rest: how many of each resource type, the total
    /// count and the query that produced them. Keeps every record well under EventBridge's 256 KB entry.
    /// </summary>
    [Range(1_024, 128 * 1024)]
    public int MaxResourceIdBytesPerRecord { get; set; } = 32 * 1024;

    /// <summary>The most bytes of records one group commit holds: one event-store item, under DynamoDB's 400 KB.</summary>
    [Range(AuditTrail.LargestRecordBytes, 350 * 1024)]
    public int MaxBytesPerCommit { get; set; } = 256 * 1024;
}

/// <summary>The audit trail could not store a record in time; the response carrying the data is withheld.</summary>
public sealed class AuditUnavailableException(Exception? inner = null)
    : Exception("The audit trail could not store the record of this response.", inner);

/// <summary>
/// Appends audit records to the event store by group commit, and is the only way records are written.
/// </summary>
/// <remarks>
/// A request hands its records to a bounded queue and waits until they are durable; it makes no AWS call
/// itself. A writer loop takes everything queued (up to <see cref="AuditOptions.MaxRecordsPerCommit"/> records
/// and <see cref="AuditOptions.MaxBytesPerCommit"/> bytes; a record lists at most
/// <see cref="AuditOptions.MaxResourceIdBytesPerRecord"/> of ids) and appends it as ONE commit to a fresh stream audit-{UUIDv7} ("must not exist": no contention, no read first),
/// so concurrent requests share one PutItem; up to <see cref="AuditOptions.MaxCommitsInFlight"/> commits are
/// stored at once. A request waits for that PutItem only, not for the publish
/// (<see cref="IEventStore.AppendDurableAsync"/>). From that commit on, the event store's outbox guarantees the rest:
/// the records are published to the bus, routed to audit-projection and put into the `audit` table, and if this
/// process dies before publishing, another instance's outbox relay publishes them. So no record is lost:
/// before the commit the response has not been sent; after it the record is in DynamoDB.
/// A commit is retried with the same commit id, so a retry after a lost reply recognises its own stored commit;
/// it is retried only while a request still waits for it, and never when the store refuses it for good
/// (<see cref="CommitOutcome"/>): a slot is never held by a commit that cannot succeed.
/// </remarks>
public sealed class AuditTrail(IEventStore eventStore, IOptions<AuditOptions> options, ILogger<AuditTrail> logger) : BackgroundService
{
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(10_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>An upper bound of one record's size in a commit apart from its ids and query (field names, ids, times, event envelope).</summary>
    private const int RecordOverheadBytes = 1_024;

    /// <summary>The largest record a commit must hold: the id budget's maximum, its query and the overhead.</summary>
    internal const int LargestRecordBytes = 128 * 1024 + 2 * 1_024 + RecordOverheadBytes + 16 * 1_024;

    /// <summary>Waits until the records are stored in the event store.</summary>
    /// <exception cref="AuditUnavailableException">Not stored within <see cref="AuditOptions.MaxWaitMilliseconds"/>.</exception>
    public async Task RecordAsync(IReadOnlyList<PatientDataAccessed> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        var settings = options.Value;
        var deadline = Stopwatch.GetTimestamp() + (long)(settings.MaxWaitMilliseconds / 1000.0 * Stopwatch.Frequency);
        var caller = Activity.Current?.Context ?? default;
        // A request whose records exceed one commit (many patients, large disclosures) is stored as several.
        var parts = Split([.. records.Select(r => Bound(r, settings.MaxResourceIdBytesPerRecord))], settings)
            .Select(part => new Pending(part.Records, part.Bytes, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), caller, deadline))
            .ToList();
        try
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(settings.MaxWaitMilliseconds));
            foreach (var part in parts)
            {
                await _queue.Writer.WriteAsync(part, wait.Token);
            }

            // Not the request's token: a client that hangs up still gets its access recorded.
            await Task.WhenAll(parts.Select(p => p.Stored.Task)).WaitAsync(wait.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException or AuditUnavailableException)
        {
            throw e as AuditUnavailableException ?? new AuditUnavailableException(e);
        }
    }

    /// <summary>
    /// The record as stored: all its ids when they fit in <paramref name="maxIdBytes"/>, else the ids that fit, how
    /// many were left out and how many resources of each type it disclosed; its query and count say the rest.
    /// </summary>
    public static PatientDataAccessed Bound(PatientDataAccessed record, int maxIdBytes)
    {
        var bytes = 0;
        var fit = 0;
        foreach (var id in record.ResourceIds)
        {
            // The quotes and comma of the JSON list.
            var size = Encoding.UTF8.GetByteCount(id) + 3;
            if (bytes + size > maxIdBytes)
            {
                break;
            }

            bytes += size;
            fit++;
        }

        var query = record.Query is { Length: > MaxQueryLength } longQuery ? longQuery[..MaxQueryLength] : record.Query;
        if (fit == record.ResourceIds.Count)
        {
            return query == record.Query ? record : record with { Query = query };
        }

        var types = record.ResourceIds
            .Select(id => id.IndexOf('/') is > 0 and var slash ? id[..slash] : null)
            .OfType<string>()
            .GroupBy(type => type, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return record with
        {
            ResourceIds = [.. record.ResourceIds.Take(fit)],
            ResourceIdsOmitted = record.ResourceIdsOmitted + record.ResourceIds.Count - fit,
            ResourceTypes = record.ResourceTypes ?? (types.Count > 0 ? types : null),
            Query = query,
        };
    }

    /// <summary>The most characters of a request's path and query a record keeps.</summary>
    public const int MaxQueryLength = 2_048;

    private static int SizeOf(PatientDataAccessed record) =>
        RecordOverheadBytes
        + Encoding.UTF8.GetByteCount(record.Action) + Encoding.UTF8.GetByteCount(record.Actor) + (record.Query?.Length ?? 0) * 3
        + record.ResourceIds.Sum(id => Encoding.UTF8.GetByteCount(id) + 3)
        + (record.ResourceTypes?.Sum(t => Encoding.UTF8.GetByteCount(t.Key) + 16) ?? 0);

    private static IEnumerable<(List<PatientDataAccessed> Records, int Bytes)> Split(IReadOnlyList<PatientDataAccessed> records, AuditOptions settings)
    {
        var part = new List<PatientDataAccessed>();
        var bytes = 0;
        foreach (var record in records)
        {
            var size = SizeOf(record);
            if (part.Count > 0 && (part.Count == settings.MaxRecordsPerCommit || bytes + size > settings.MaxBytesPerCommit))
            {
                yield return (part, bytes);
                part = [];
                bytes = 0;
            }

            part.Add(record);
            bytes += size;
        }

        yield return (part, bytes);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var slots = new SemaphoreSlim(settings.MaxCommitsInFlight);
        var inFlight = new List<Task>();
        Pending? carried = null;
        // Drain what is queued even while stopping, so a graceful shutdown stores every record it accepted.
        while (carried is not null || await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            // A slot first, then the batch: while every slot is busy, the queue fills the next commit.
            await slots.WaitAsync(CancellationToken.None);
            var batch = new List<Pending>();
            var records = 0;
            var bytes = 0;
            while (carried is not null || _queue.Reader.TryRead(out carried))
            {
                if (batch.Count > 0
                    && (records + carried.Records.Count > settings.MaxRecordsPerCommit || bytes + carried.Bytes > settings.MaxBytesPerCommit))
                {
                    // Starts the next commit.
                    break;
                }

                batch.Add(carried);
                records += carried.Records.Count;
                bytes += carried.Bytes;
                carried = null;
            }

            inFlight.RemoveAll(commit => commit.IsCompleted);
            inFlight.Add(CommitThenReleaseAsync(batch, slots));
        }

        await Task.WhenAll(inFlight);
    }

    private async Task CommitThenReleaseAsync(List<Pending> batch, SemaphoreSlim slots)
    {
        try
        {
            var outcome = await CommitAsync(batch);
            if (outcome is not CommitOutcome.Stored)
            {
                HealthFlowTelemetry.AuditCommitFailures.Add(1, new KeyValuePair<string, object?>("outcome", outcome is CommitOutcome.Rejected ? "rejected" : "abandoned"));
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task<CommitOutcome> CommitAsync(List<Pending> batch)
    {
        var events = batch.SelectMany(p => p.Records).Cast<IDomainEvent>().ToList();
        // Fixed before the first attempt: a retry after a lost reply finds its own commit by this id.
        var commitId = Guid.CreateVersion7();
        var stream = StreamId.ForAuditBatch(commitId);
        // One trace per group commit (its PutItem, publish and projection), linked to every request it serves.
        using var activity = HealthFlowTelemetry.ActivitySource.StartActivity(
            "audit commit", ActivityKind.Internal, parentContext: default,
            links: batch.Where(p => p.Caller != default).Select(p => new ActivityLink(p.Caller)));
        activity?.SetTag("healthflow.stream_id", stream.Value);
        activity?.SetTag("healthflow.records", events.Count);
        var metadata = EventMetadataFactory.FromCurrentActivity(stream.Value);
        // Worth retrying only while a request still waits for it: the others were answered 503 and handed out nothing.
        var waitedFor = batch.Max(p => p.Deadline);
        for (var delay = TimeSpan.FromMilliseconds(50); ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks)))
        {
            CommitOutcome outcome;
            try
            {
                await eventStore.AppendDurableAsync(stream, ExpectedVersion.NoStream, events, metadata, commitId, CancellationToken.None);
                outcome = new CommitOutcome.Stored();
            }
            catch (Exception e) when (CanNeverSucceed(e))
            {
                logger.LogError(e, "The event store refused {Count} audit records of {Stream} for good; {Requests} requests are answered 503.", events.Count, stream, batch.Count);
                outcome = new CommitOutcome.Rejected(e.Message);
            }
            catch (Exception e)
            {
                if (Stopwatch.GetTimestamp() + delay.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond < waitedFor)
                {
                    logger.LogWarning(e, "Storing {Count} audit records failed; retrying in {Delay}.", events.Count, delay);
                    await Task.Delay(delay, CancellationToken.None);
                    continue;
                }

                logger.LogError(e, "Storing {Count} audit records of {Stream} failed until every request waiting for them was answered 503; giving up.", events.Count, stream);
                outcome = new CommitOutcome.Abandoned(e.Message);
            }

            foreach (var pending in batch)
            {
                if (outcome is CommitOutcome.Stored)
                {
                    pending.Stored.TrySetResult();
                }
                else
                {
                    pending.Stored.TrySetException(new AuditUnavailableException());
                }
            }

            if (outcome is not CommitOutcome.Stored)
            {
                activity?.SetStatus(ActivityStatusCode.Error, outcome.ToString());
            }

            return outcome;
        }
    }

    // Retrying these gives the same answer: an item the store will not take (over DynamoDB's 400 KB, an invalid
    // attribute), or a stream that is someone else's.
    private static bool CanNeverSucceed(Exception e) =>
        e is ConcurrencyConflictException or ArgumentException
        || e is AmazonDynamoDBException { ErrorCode: "ValidationException" };

    /// <summary>How a group commit ended.</summary>
    public abstract record CommitOutcome
    {
        private CommitOutcome()
        {
        }

        /// <summary>Stored; every request waiting for it is answered.</summary>
        public sealed record Stored : CommitOutcome;

        /// <summary>The store refused it for good; never retried, its requests are answered 503.</summary>
        public sealed record Rejected(string Reason) : CommitOutcome;

        /// <summary>Still failing when the last request waiting for it had been answered 503; not retried further.</summary>
        public sealed record Abandoned(string Reason) : CommitOutcome;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    /// <param name="Deadline">When the request stops waiting (a <see cref="Stopwatch"/> timestamp).</param>
    private sealed record Pending(IReadOnlyList<PatientDataAccessed> Records, int Bytes, TaskCompletionSource Stored, ActivityContext Caller, long Deadline);
}
