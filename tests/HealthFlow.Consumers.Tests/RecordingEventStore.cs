using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;

namespace HealthFlow.Consumers.Tests;

/// <summary>
/// An in-memory event store that keeps "stream must not exist" honest and remembers every append; events occur at
/// <paramref name="clock"/>'s time (the machine's by default).
/// </summary>
public sealed class RecordingEventStore(TimeProvider? clock = null) : IEventStore
{
    private readonly ConcurrentDictionary<string, List<EventEnvelope>> _streams = new();

    public ConcurrentQueue<(StreamId Stream, IDomainEvent Event, EventMetadata Metadata)> Appended { get; } = new();

    /// <summary>Appends tried, refused ones included.</summary>
    public int Attempts => _attempts;

    private int _attempts;

    public Task<AppendResult> AppendAsync(StreamId stream, long expectedVersion, IReadOnlyList<IDomainEvent> events, EventMetadata metadata, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _attempts);
        var commits = _streams.GetOrAdd(stream.Value, _ => []);
        lock (commits)
        {
            var version = commits.Count == 0 ? ExpectedVersion.NoStream : commits[^1].Version;
            if (version != expectedVersion)
                throw new ConcurrencyConflictException(stream, expectedVersion);
            var envelopes = events.Select(e => new EventEnvelope(Guid.CreateVersion7(), stream.Value, version + 1, EventTypes.Of(e), (clock ?? TimeProvider.System).GetUtcNow(),
                JsonSerializer.SerializeToElement(e, e.GetType(), DomainJson.Options), metadata)).ToList();
            commits.AddRange(envelopes);
            foreach (var e in events)
                Appended.Enqueue((stream, e, metadata));
            return Task.FromResult(new AppendResult(version + 1, envelopes));
        }
    }

    public Task<long> GetVersionAsync(StreamId stream, CancellationToken cancellationToken = default) =>
        Task.FromResult(_streams.TryGetValue(stream.Value, out var commits) && commits.Count > 0 ? commits[^1].Version : ExpectedVersion.NoStream);

    public async IAsyncEnumerable<EventEnvelope> ReadStreamAsync(StreamId stream, long fromVersion = 1, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        if (_streams.TryGetValue(stream.Value, out var commits))
        {
            foreach (var e in commits.Where(c => c.Version >= fromVersion))
                yield return e;
        }
    }

    public async IAsyncEnumerable<EventEnvelope> ReadStreamBackwardAsync(StreamId stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        if (_streams.TryGetValue(stream.Value, out var commits))
        {
            List<EventEnvelope> newestFirst;
            lock (commits)
            {
                newestFirst = [.. Enumerable.Reverse(commits)];
            }

            foreach (var e in newestFirst)
                yield return e;
        }
    }

    public async IAsyncEnumerable<EventEnvelope> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var stream in _streams.Keys)
        {
            await foreach (var e in ReadStreamAsync(new StreamId(stream), 1, cancellationToken))
                yield return e;
        }
    }
}
