namespace HealthFlow.Command.Api.Observations;

/// <summary>
/// Serialises appends to one stream within this instance. Optimistic concurrency alone would make N
/// concurrent check-ins of one patient collide O(N²) times; queueing them here leaves conflicts only
/// between instances, which the retry loop absorbs. Striped: a fixed set of semaphores, chosen by hash.
/// </summary>
public sealed class StreamLocks
{
    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, 256).Select(_ => new SemaphoreSlim(1, 1))];

    public async Task<IDisposable> AcquireAsync(string streamId, CancellationToken cancellationToken)
    {
        var stripe = _stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(streamId) % (uint)_stripes.Length)];
        await stripe.WaitAsync(cancellationToken);
        return new Release(stripe);
    }

    private sealed class Release(SemaphoreSlim stripe) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                stripe.Release();
            }
        }
    }
}
