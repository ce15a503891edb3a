using HealthFlow.Domain;
using HealthFlow.EventBridge;

namespace HealthFlow.EventStore;

/// <summary>Publishes stored events to the EventBridge bus (at least once).</summary>
public interface IEventPublisher
{
    /// <summary>Publishes the events; fails when any of them was not accepted.</summary>
    Task PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes each commit on its own account (the outbox relay): one commit the bus refuses does not fail the
    /// others. Never throws for a refused or failed publish; the outcome of each commit says what happened.
    /// </summary>
    async Task<IReadOnlyList<CommitPublishOutcome>> PublishCommitsAsync(
        IReadOnlyList<IReadOnlyList<EventEnvelope>> commits, CancellationToken cancellationToken = default)
    {
        var outcomes = new List<CommitPublishOutcome>(commits.Count);
        foreach (var commit in commits)
        {
            try
            {
                await PublishAsync(commit, cancellationToken).ConfigureAwait(false);
                outcomes.Add(new CommitPublishOutcome.Published());
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                outcomes.Add(ex is EventBridgeException { RefusesTheRequest: true }
                    ? new CommitPublishOutcome.Unpublishable(ex.Message)
                    : new CommitPublishOutcome.BusUnavailable(ex.Message));
            }
        }

        return outcomes;
    }
}

/// <summary>What became of one commit's publish.</summary>
public abstract record CommitPublishOutcome
{
    private CommitPublishOutcome()
    {
    }

    /// <summary>Every event of the commit is on the bus.</summary>
    public sealed record Published : CommitPublishOutcome;

    /// <summary>The bus can never take it as it is (an event over EventBridge's 256 KB entry limit, a detail it refuses).</summary>
    public sealed record Unpublishable(string Reason) : CommitPublishOutcome;

    /// <summary>The bus took the call but refused an event of this commit; it may take it another time.</summary>
    public sealed record EntryFailed(string Reason) : CommitPublishOutcome;

    /// <summary>The call itself failed (the bus slow, throttling, down): nothing says anything about the commit.</summary>
    public sealed record BusUnavailable(string Reason) : CommitPublishOutcome;
}
