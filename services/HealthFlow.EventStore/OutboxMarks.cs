using System.Diagnostics;
using System.Threading.Channels;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;

namespace HealthFlow.EventStore;

/// <summary>
/// Removes the outbox mark (`pending`) of commits whose publish succeeded, off the request path: the
/// writer hands the commit over and answers its caller; a background loop issues the UpdateItems with
/// bounded concurrency. Losing a hand-over (a crash before the loop got to it) costs one duplicate
/// publish by the relay, which every handler already absorbs; it never loses an event.
/// Until a removal has run, the commit is known here as published (<see cref="IsPublished"/>): the relay of this
/// process skips such a commit instead of republishing it, however far behind the removals are.
/// </summary>
public sealed class OutboxMarks : IAsyncDisposable
{
    private const int MaxConcurrentClears = 8;
    private static readonly TimeSpan DrainOnDispose = TimeSpan.FromSeconds(5);

    private readonly IAmazonDynamoDB _dynamo;
    private readonly ILogger<OutboxMarks> _logger;
    private readonly Channel<PublishedCommit> _queued = Channel.CreateUnbounded<PublishedCommit>(new() { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    // Published, mark not yet removed. Bounded by the removal backlog: an entry leaves once its removal has run.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string StreamId, long Version), byte> _published = new();

    public OutboxMarks(IAmazonDynamoDB dynamo, ILogger<OutboxMarks> logger)
    {
        _dynamo = dynamo;
        _logger = logger;
        _loop = Task.Run(ClearLoopAsync);
    }

    /// <summary>Queues the mark's removal. The current span becomes its parent, so it stays in the commit's trace.</summary>
    public void Clear(string streamId, long version)
    {
        _published[(streamId, version)] = 0;
        if (!_queued.Writer.TryWrite(new PublishedCommit(streamId, version, Activity.Current?.Context ?? default)))
            _published.TryRemove((streamId, version), out _);
    }

    /// <summary>
    /// Whether this process published the commit and its mark's removal is still queued or running: a relay that
    /// finds it pending must not publish it again.
    /// </summary>
    internal bool IsPublished(string streamId, long version) => _published.ContainsKey((streamId, version));

    /// <summary>
    /// Hands a published commit's mark removal to the caller (the relay, when the removal is overdue): true when
    /// this process published it and had not removed its mark yet. A queued removal taken over is skipped.
    /// </summary>
    public bool TryTakeOver(string streamId, long version) => _published.TryRemove((streamId, version), out _);

    private Task ClearLoopAsync() =>
        Parallel.ForEachAsync(
            _queued.Reader.ReadAllAsync(),
            new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentClears },
            async (commit, loopToken) =>
            {
                if (!_published.ContainsKey((commit.StreamId, commit.Version)))
                    return;
                using var activity = HealthFlowTelemetry.ActivitySource.StartActivity("outbox clear", ActivityKind.Internal, commit.Parent);
                try
                {
                    await ClearAsync(_dynamo, commit.StreamId, commit.Version, _stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // Published but still marked: the relay will publish it once more (at least once).
                    activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                    _logger.LogWarning(ex, "Clearing the outbox mark of {StreamId}@{Version} failed", commit.StreamId, commit.Version);
                }
                finally
                {
                    _published.TryRemove((commit.StreamId, commit.Version), out _);
                }
            });

    internal static async Task ClearAsync(IAmazonDynamoDB dynamo, string streamId, long version, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = CommitItems.Table,
                Key = CommitItems.Key(streamId, version),
                UpdateExpression = "REMOVE #pending",
                // UpdateItem would otherwise create a stub item for a key that does not exist.
                ConditionExpression = "attribute_exists(#version)",
                ExpressionAttributeNames = new() { ["#pending"] = CommitItems.Pending, ["#version"] = CommitItems.Version },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            // Nothing to clear.
        }
    }

    /// <summary>Finishes the queued removals (briefly), so a graceful stop leaves no needless republish behind.</summary>
    public async ValueTask DisposeAsync()
    {
        _queued.Writer.TryComplete();
        if (await Task.WhenAny(_loop, Task.Delay(DrainOnDispose)).ConfigureAwait(false) != _loop)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private readonly record struct PublishedCommit(string StreamId, long Version, ActivityContext Parent);
}
