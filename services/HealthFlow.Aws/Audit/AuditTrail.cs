using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Threading.Channels;
using HealthFlow.Aws.Diagnostics;
using HealthFlow.Aws.EventStore;
using HealthFlow.Aws.Messaging;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HealthFlow.Aws.Audit;

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
}

/// <summary>The audit trail could not store a record in time; the response carrying the data is withheld.</summary>
public sealed class AuditUnavailableException(Exception? inner = null)
    : Exception("The audit trail could not store the record of this response.", inner);

/// <summary>
/// Appends audit records to the event store by group commit, and is the only way records are written.
/// </summary>
/// <remarks>
/// A request hands its records to a bounded queue and waits until they are durable; it makes no AWS call
/// itself. A writer loop takes everything queued (up to <see cref="AuditOptions.MaxRecordsPerCommit"/>) and
/// appends it as ONE commit to a fresh stream audit-{UUIDv7} ("must not exist": no contention, no read first),
/// so concurrent requests share one PutItem; up to <see cref="AuditOptions.MaxCommitsInFlight"/> commits are
/// stored at once. A request waits for that PutItem only, not for the publish
/// (<see cref="IEventStore.AppendDurableAsync"/>). From that commit on, the event store's outbox guarantees the rest:
/// the records are published to the bus, routed to audit-projection and put into the `audit` table, and if this
/// process dies before publishing, another instance's outbox relay publishes them. So no record is lost:
/// before the commit the response has not been sent; after it the record is in DynamoDB.
/// </remarks>
public sealed class AuditTrail(IEventStore eventStore, IOptions<AuditOptions> options, ILogger<AuditTrail> logger) : BackgroundService
{
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(10_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>Waits until the records are stored in the event store.</summary>
    /// <exception cref="AuditUnavailableException">Not stored within <see cref="AuditOptions.MaxWaitMilliseconds"/>.</exception>
    public async Task RecordAsync(IReadOnlyList<PatientDataAccessed> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        var pending = new Pending(records, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), Activity.Current?.Context ?? default);
        try
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(options.Value.MaxWaitMilliseconds));
            await _queue.Writer.WriteAsync(pending, wait.Token);
            // Not the request's token: a client that hangs up still gets its access recorded.
            await pending.Stored.Task.WaitAsync(wait.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            throw new AuditUnavailableException(e);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(options.Value.MaxCommitsInFlight);
        var inFlight = new List<Task>();
        // Drain what is queued even while stopping, so a graceful shutdown stores every record it accepted.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            // A slot first, then the batch: while every slot is busy, the queue fills the next commit.
            await slots.WaitAsync(CancellationToken.None);
            var batch = new List<Pending>();
            var records = 0;
            while (records < options.Value.MaxRecordsPerCommit && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
                records += next.Records.Count;
            }

            inFlight.RemoveAll(commit => commit.IsCompleted);
            inFlight.Add(CommitThenReleaseAsync(batch, slots, stoppingToken));
        }

        await Task.WhenAll(inFlight);
    }

    private async Task CommitThenReleaseAsync(List<Pending> batch, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            await CommitAsync(batch, stoppingToken);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task CommitAsync(List<Pending> batch, CancellationToken stoppingToken)
    {
        var events = batch.SelectMany(p => p.Records).Cast<IDomainEvent>().ToList();
        var stream = StreamId.ForAuditBatch(Guid.CreateVersion7());
        // One trace per group commit (its PutItem, publish and projection), linked to every request it serves.
        using var activity = HealthFlowTelemetry.ActivitySource.StartActivity(
            "audit commit", ActivityKind.Internal, parentContext: default,
            links: batch.Where(p => p.Caller != default).Select(p => new ActivityLink(p.Caller)));
        activity?.SetTag("healthflow.stream_id", stream.Value);
        activity?.SetTag("healthflow.records", events.Count);
        var metadata = EventMetadataFactory.FromCurrentActivity(stream.Value);
        for (var delay = TimeSpan.FromMilliseconds(50); ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks)))
        {
            try
            {
                await eventStore.AppendDurableAsync(stream, ExpectedVersion.NoStream, events, metadata, CancellationToken.None);
                foreach (var pending in batch)
                {
                    pending.Stored.TrySetResult();
                }

                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Storing {Count} audit records failed; retrying in {Delay}.", events.Count, delay);
                // Requests that gave up were answered 503 and handed out nothing; the retry still stores their record.
                await Task.Delay(delay, CancellationToken.None);
                if (stoppingToken.IsCancellationRequested && delay >= TimeSpan.FromSeconds(2))
                {
                    foreach (var pending in batch)
                    {
                        pending.Stored.TrySetException(new AuditUnavailableException(e));
                    }

                    return;
                }
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private sealed record Pending(IReadOnlyList<PatientDataAccessed> Records, TaskCompletionSource Stored, ActivityContext Caller);
}
