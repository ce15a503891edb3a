namespace HealthFlow.Aws.Tests.Infrastructure;

/// <summary>Waits for a condition that becomes true asynchronously (a message arriving, a mark cleared).</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string condition) where T : class
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            if (await probe() is { } value)
                return value;
            if (deadline.IsCancellationRequested)
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting until {condition}.");
            await Task.Delay(TimeSpan.FromMilliseconds(25), CancellationToken.None);
        }
    }

    public static Task HoldsAsync(Func<Task<bool>> probe, TimeSpan timeout, string condition) =>
        ReturnsAsync(async () => await probe() ? string.Empty : null, timeout, condition);

    public static Task HoldsAsync(Func<bool> probe, TimeSpan timeout, string condition) =>
        HoldsAsync(() => Task.FromResult(probe()), timeout, condition);
}
