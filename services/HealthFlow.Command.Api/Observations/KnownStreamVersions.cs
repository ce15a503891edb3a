using System.Collections.Concurrent;

namespace HealthFlow.Command.Api.Observations;

/// <summary>
/// The last version this instance saw for each patient stream, so an append usually needs no read
/// first. Only a hint: a stale value (another instance appended since) surfaces as a concurrency
/// conflict, after which the version is read from the store. Versions only grow, so a stale value is
/// never above the real one.
/// </summary>
public sealed class KnownStreamVersions
{
    private const int MaxStreams = 100_000;
    private readonly ConcurrentDictionary<string, long> _versions = new(StringComparer.Ordinal);

    public long? Get(string streamId) => _versions.TryGetValue(streamId, out var version) ? version : null;

    public void Set(string streamId, long version)
    {
        // A crude bound instead of an LRU: forgetting only costs one extra read per stream.
        if (_versions.Count >= MaxStreams)
        {
            _versions.Clear();
        }

        _versions[streamId] = version;
    }

    public void Forget(string streamId) => _versions.TryRemove(streamId, out _);
}
