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

    /// <summary>
    /// Reads a stream backwards, newest commit first (a commit's events newest first too), a few commits a request:
    /// a reader that stops early pays for what it read, not for the stream's length.
    /// </summary>
    IAsyncEnumerable<EventEnvelope> ReadStreamBackwardAsync(StreamId stream, CancellationToken cancellationToken = default);

    /// <summary>
    /// Folds a stream's tail: its events from the newest back to the first one <paramref name="precedesTail"/> says is
    /// older than the tail (that one and everything before it left out, and mostly unread), in version order. The version is the
    /// stream's newest, the expected version of the next append, whatever the tail holds.
    /// </summary>
    async Task<LoadedStream<TState>> LoadTailAsync<TState>(
        StreamId stream,
        TState initial,
        Func<TState, EventEnvelope, TState> evolve,
        Func<EventEnvelope, bool> precedesTail,
        CancellationToken cancellationToken = default)
    {
        var tail = new List<EventEnvelope>();
        var version = ExpectedVersion.NoStream;
        await foreach (var envelope in ReadStreamBackwardAsync(stream, cancellationToken))
        {
            version = Math.Max(version, envelope.Version);
            if (precedesTail(envelope))
            {
                break;
            }

            tail.Add(envelope);
        }

        tail.Reverse();
        return new LoadedStream<TState>(tail.Aggregate(initial, evolve), version);
    }

    /// <summary>
    /// Reads a whole stream and folds it into <typeparamref name="TState"/>: what a command decides on. The version
    /// is the last commit's (<see cref="ExpectedVersion.NoStream"/> for an empty stream), the expected version of
    /// the next append.
    /// </summary>
    async Task<LoadedStream<TState>> LoadAsync<TState>(
        StreamId stream, TState initial, Func<TState, EventEnvelope, TState> evolve, CancellationToken cancellationToken = default)
    {
        var state = initial;
        var version = ExpectedVersion.NoStream;
        await foreach (var envelope in ReadStreamAsync(stream, 1, cancellationToken))
        {
            state = evolve(state, envelope);
            version = envelope.Version;
        }

        return new LoadedStream<TState>(state, version);
    }
}

/// <summary>A stream folded by <see cref="IEventStreamReader.LoadAsync"/>, and the version it was folded up to.</summary>
public sealed record LoadedStream<TState>(TState State, long Version);

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
