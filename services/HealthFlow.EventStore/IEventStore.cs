using HealthFlow.Domain;
using HealthFlow.Domain.Events;

namespace HealthFlow.EventStore;

/// <summary>
/// Append-only event store on DynamoDB. An append is one conditional PutItem of a
/// commit at version expectedVersion + 1, then an immediate publish (outbox).
/// </summary>
public interface IEventStore : IEventStreamReader
{
    /// <summary>
    /// Appends the events as one commit at <paramref name="expectedVersion"/> + 1 and publishes them.
    /// Use <see cref="ExpectedVersion.NoStream"/> for "the stream must not exist".
    /// </summary>
    /// <exception cref="ConcurrencyConflictException">Another writer already holds that version.</exception>
    Task<AppendResult> AppendAsync(
        StreamId stream,
        long expectedVersion,
        IReadOnlyList<IDomainEvent> events,
        EventMetadata metadata,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends like <see cref="AppendAsync"/>, but returns as soon as the commit is durable and publishes it in
    /// the background: for writers that need the record stored, not delivered (the audit trail). The outbox
    /// relay publishes a commit whose background publish failed or never ran.
    /// </summary>
    Task<AppendResult> AppendDurableAsync(
        StreamId stream,
        long expectedVersion,
        IReadOnlyList<IDomainEvent> events,
        EventMetadata metadata,
        CancellationToken cancellationToken = default) =>
        AppendAsync(stream, expectedVersion, events, metadata, cancellationToken);

    /// <summary>
    /// Appends like <see cref="AppendDurableAsync(StreamId, long, IReadOnlyList{IDomainEvent}, EventMetadata, CancellationToken)"/>,
    /// as the commit <paramref name="commitId"/>: a caller that retries after a lost reply passes the same id, and a
    /// retry that finds its own earlier attempt stored succeeds with that commit instead of conflicting with it.
    /// </summary>
    Task<AppendResult> AppendDurableAsync(
        StreamId stream,
        long expectedVersion,
        IReadOnlyList<IDomainEvent> events,
        EventMetadata metadata,
        Guid commitId,
        CancellationToken cancellationToken = default) =>
        AppendDurableAsync(stream, expectedVersion, events, metadata, cancellationToken);

    /// <summary>The stream's current version, or <see cref="ExpectedVersion.NoStream"/> (0) when it has no commits.</summary>
    Task<long> GetVersionAsync(StreamId stream, CancellationToken cancellationToken = default);

    /// <summary>Reads every stream, each in version order, for replay.</summary>
    IAsyncEnumerable<EventEnvelope> ReadAllAsync(CancellationToken cancellationToken = default);
}

/// <summary>Reading one stream, without the right or the means to append (the projections' fallbacks).</summary>
public interface IEventStreamReader
{
    /// <summary>Reads a stream forwards from a version (inclusive).</summary>
    IAsyncEnumerable<EventEnvelope> ReadStreamAsync(StreamId stream, long fromVersion = 1, CancellationToken cancellationToken = default);
}

public static class ExpectedVersion
{
    public const long NoStream = 0;
}

public sealed record AppendResult(long Version, IReadOnlyList<EventEnvelope> Events);

/// <summary>Thrown when the commit at the expected next version already exists.</summary>
public sealed class ConcurrencyConflictException(StreamId stream, long expectedVersion)
    : Exception($"Stream {stream} is no longer at version {expectedVersion}.")
{
    public StreamId Stream { get; } = stream;
    public long ExpectedVersion { get; } = expectedVersion;
}
