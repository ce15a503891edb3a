using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using HealthFlow.ReadModels;
using Microsoft.Extensions.Options;

namespace HealthFlow.Query.Api.Alerts;

/// <summary>
/// One tail of the alerts read model per query-api instance, fanned out to that instance's SSE connections.
/// </summary>
/// <remarks>
/// Why tail the read model: the `alerts` table already holds every new and changed alert, ordered by
/// update time in the `by-update` GSI (feed = "alerts", updatedKey = updatedAt#alertId). Each instance
/// tails it independently, so instances need no coordination, no per-instance queue or subscription to
/// create and clean up as Fargate scales in and out, and any instance can serve any client: a client that
/// reconnects elsewhere resumes from its Last-Event-ID (an updatedKey) with one query.
/// <para>Two reads, one for speed and one for completeness, both skipping what was already sent:</para>
/// <list type="bullet">
/// <item>The head: every HeadPollIntervalMilliseconds, the changes after the newest one seen (less a small
/// overlap for writes in flight). It usually returns nothing, and costs one small Query per instance, whatever
/// the number of clients, and none while no client is connected (the loop sleeps until one subscribes).</item>
/// <item>The repair: every RepairIntervalMilliseconds, the last LookbackMilliseconds again, for changes that
/// became visible behind the head: a concurrent write, or a late one that AlertFeedStamps stamped again.</item>
/// </list>
/// </remarks>
public sealed class AlertFeed(
    AlertReadModel alerts,
    IOptions<AlertStreamOptions> options,
    TimeProvider timeProvider,
    IMeterFactory meterFactory,
    ILogger<AlertFeed> logger) : BackgroundService
{
    public const string MeterName = "HealthFlow.AlertFeed";
    private const int PageSize = 100;

    private readonly ConcurrentDictionary<Guid, Subscriber> _subscribers = new();
    private readonly SemaphoreSlim _firstSubscriber = new(0);

    private readonly Histogram<double> _lag = meterFactory.Create(MeterName).CreateHistogram<double>(
        "healthflow.alert_feed.lag", "ms", "From a change's read-model stamp to its broadcast to this instance's SSE connections.");

    // IMeterFactory hands out one Meter per name, so this is the same meter as the lag's.
    private readonly Counter<long> _replayReads = meterFactory.Create(MeterName).CreateCounter<long>(
        "healthflow.alert_stream.replay_reads", "{change}", "Feed items read to resume SSE connections from Last-Event-ID, every care team's.");

    /// <summary>Counts feed items a Last-Event-ID resume read (AlertEndpoints), so its cost shows in the metrics.</summary>
    public void RecordReplayRead(int items) => _replayReads.Add(items);

    public int SubscriberCount => _subscribers.Count;

    /// <summary>
    /// Live changes from now on, until the subscription is disposed or the client falls too far behind.
    /// <paramref name="include"/> is the connection's filter hook (its clinician's care-team patients): changes it
    /// rejects never enter the connection's buffer. It must be cheap and synchronous.
    /// </summary>
    public AlertSubscription Subscribe(Func<AlertChange, bool>? include = null)
    {
        var channel = Channel.CreateBounded<AlertChange>(new BoundedChannelOptions(options.Value.MaxBufferedEvents)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var id = Guid.NewGuid();
        _subscribers[id] = new Subscriber(channel, include);
        // Wakes the idle loop; a spare count left by racing subscribers costs one extra loop turn.
        if (_firstSubscriber.CurrentCount == 0)
        {
            _firstSubscriber.Release();
        }

        return new AlertSubscription(channel, () => _subscribers.TryRemove(id, out _));
    }

    /// <summary>
    /// The lower bound to query from when resuming after <paramref name="updatedKey"/>: the lookback before
    /// it. Null when the id is unreadable or older than the resume window: the client must reload instead.
    /// </summary>
    public string? ResumeFrom(string updatedKey)
    {
        var time = updatedKey.Split('#')[0];
        DateTimeOffset position;
        try
        {
            position = SortableTime.Parse(time);
        }
        catch (FormatException)
        {
            return null;
        }

        var now = timeProvider.GetUtcNow();
        if (position < now - TimeSpan.FromMinutes(options.Value.ResumeWindowMinutes) || position > now + TimeSpan.FromMinutes(1))
        {
            return null;
        }

        return SortableTime.Format(position - TimeSpan.FromMilliseconds(options.Value.LookbackMilliseconds));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var headOverlap = TimeSpan.FromMilliseconds(settings.HeadOverlapMilliseconds);
        var lookback = TimeSpan.FromMilliseconds(settings.LookbackMilliseconds);
        var headInterval = TimeSpan.FromMilliseconds(settings.HeadPollIntervalMilliseconds);
        var repairInterval = TimeSpan.FromMilliseconds(settings.RepairIntervalMilliseconds);
        DateTimeOffset? highWaterMark = null;
        var lastRepair = timeProvider.GetTimestamp();
        // Sent changes within twice the lookback, by alertId#version, so rereading a window sends nothing twice.
        var sent = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);

        while (!stoppingToken.IsCancellationRequested)
        {
            if (_subscribers.IsEmpty)
            {
                highWaterMark = null;
                sent.Clear();
                await _firstSubscriber.WaitAsync(stoppingToken);
                continue;
            }

            try
            {
                highWaterMark ??= timeProvider.GetUtcNow();
                var repair = timeProvider.GetElapsedTime(lastRepair) >= repairInterval;
                if (repair)
                {
                    lastRepair = timeProvider.GetTimestamp();
                }

                highWaterMark = await PollAsync(highWaterMark.Value, repair ? lookback : headOverlap, sent, stoppingToken);
                Forget(sent, highWaterMark.Value - (2 * lookback));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Polling the alert feed failed; retrying.");
            }

            await Task.Delay(headInterval, timeProvider, stoppingToken);
        }
    }

    private async Task<DateTimeOffset> PollAsync(
        DateTimeOffset highWaterMark, TimeSpan window, Dictionary<string, DateTimeOffset> sent, CancellationToken cancellationToken)
    {
        var position = SortableTime.Format(highWaterMark - window);
        while (true)
        {
            var changes = await alerts.ReadFeedAsync(position, PageSize, cancellationToken);
            var now = timeProvider.GetUtcNow();
            foreach (var change in changes)
            {
                var updatedAt = SortableTime.Parse(change.UpdatedKey.Split('#')[0]);
                if (updatedAt > highWaterMark)
                {
                    highWaterMark = updatedAt;
                }

                if (sent.TryAdd($"{change.Alert.AlertId}#{change.Version}", updatedAt))
                {
                    _lag.Record((now - updatedAt).TotalMilliseconds);
                    Broadcast(change);
                }
            }

            if (changes.Count < PageSize)
            {
                return highWaterMark;
            }

            position = changes[^1].UpdatedKey;
        }
    }

    private static void Forget(Dictionary<string, DateTimeOffset> sent, DateTimeOffset before)
    {
        foreach (var (key, updatedAt) in sent)
        {
            if (updatedAt < before)
            {
                sent.Remove(key);
            }
        }
    }

    private void Broadcast(AlertChange change)
    {
        foreach (var (id, (channel, include)) in _subscribers)
        {
            if (include is not null && !include(change))
            {
                continue;
            }

            if (!channel.Writer.TryWrite(change))
            {
                // Too far behind: end its stream; EventSource reconnects and catches up from Last-Event-ID.
                channel.Writer.TryComplete();
                _subscribers.TryRemove(id, out _);
            }
        }
    }
}

internal sealed record Subscriber(Channel<AlertChange> Channel, Func<AlertChange, bool>? Include);

/// <summary>One connection's view of the feed.</summary>
public sealed class AlertSubscription(Channel<AlertChange> channel, Action unsubscribe) : IDisposable
{
    public ChannelReader<AlertChange> Changes { get; } = channel.Reader;

    /// <summary>Hands the connection a change its filter rejected earlier and now admits (a patient just joined its teams).</summary>
    public bool Offer(AlertChange change) => channel.Writer.TryWrite(change);

    public void Dispose() => unsubscribe();
}
