
namespace HealthFlow.LocalAws.Sqs;

/// <summary>
/// One standard queue, in memory. All state sits behind one lock held only for short, non-blocking
/// sections. Hidden messages (delayed or in flight) wait in a timer heap and become visible lazily,
/// whenever the queue is next touched. Long-polling receivers park on a signal that is completed as
/// soon as a message may be available, or wake at the earliest hidden message's due time.
/// </summary>
internal sealed class SqsQueue(string name, string arn, QueueSettings settings, SqsQueueStore store)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, SqsMessage> _messages = [];
    private readonly Queue<SqsMessage> _visible = new();
    private readonly PriorityQueue<(SqsMessage Message, int Version), long> _hidden = new();
    private int _visibleCount;
    private int _inFlightCount;
    private int _delayedCount;
    private int _waiters;
    private TaskCompletionSource? _signal;
    private volatile QueueSettings _settings = settings;

    public string Name { get; } = name;
    public string Arn { get; } = arn;
    public long CreatedTimestamp { get; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    public long LastModifiedTimestamp { get; private set; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    public bool IsDeleted { get; private set; }

    /// <summary>Set when LocalAws stops: long polls end at once instead of holding up shutdown.</summary>
    public bool IsReleased { get; private set; }
    public QueueSettings Settings => _settings;

    /// <summary>Receivers currently parked in a long poll (observable by tests).</summary>
    public int Waiters
    {
        get
        {
            lock (_gate)
                return _waiters;
        }
    }

    public void UpdateSettings(QueueSettings settings)
    {
        lock (_gate)
        {
            _settings = settings;
            LastModifiedTimestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        }
    }

    public (int Visible, int InFlight, int Delayed) Counts()
    {
        lock (_gate)
        {
            RevealDueLocked(Environment.TickCount64);
            return (_visibleCount, _inFlightCount, _delayedCount);
        }
    }

    public void Enqueue(SqsMessage message, int delaySeconds)
    {
        lock (_gate)
        {
            _messages[message.Id] = message;
            if (delaySeconds > 0)
            {
                message.State = MessageState.Delayed;
                _delayedCount++;
                ScheduleLocked(message, Environment.TickCount64 + delaySeconds * 1000L);
            }
            else
            {
                MakeVisibleLocked(message);
            }

            PulseLocked();
        }
    }

    /// <summary>
    /// Receives up to <paramref name="max"/> messages, waiting up to <paramref name="wait"/> for the
    /// first one. Returns as soon as at least one message is available.
    /// </summary>
    public async Task<List<Delivery>> ReceiveAsync(int max, int visibilityTimeout, TimeSpan wait, CancellationToken cancellationToken)
    {
        long deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        while (true)
        {
            List<SqsMessage>? exhausted = null;
            List<Delivery> deliveries;
            Task signal;
            long wakeAt;
            lock (_gate)
            {
                long now = Environment.TickCount64;
                deliveries = TakeLocked(max, visibilityTimeout, now, ref exhausted);
                if (deliveries.Count > 0 || now >= deadline || IsDeleted || IsReleased)
                {
                    signal = Task.CompletedTask;
                    wakeAt = now;
                }
                else
                {
                    signal = (_signal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                    wakeAt = _hidden.TryPeek(out _, out long due) ? Math.Min(due, deadline) : deadline;
                    _waiters++;
                }
            }

            if (exhausted is not null)
                MoveToDeadLetterQueue(exhausted);
            if (signal.IsCompleted)
                return deliveries;

            try
            {
                long delay = Math.Max(wakeAt - Environment.TickCount64, 0);
                await signal.WaitAsync(TimeSpan.FromMilliseconds(delay), cancellationToken)
                    .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            finally
            {
                lock (_gate)
                    _waiters--;
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public enum DeleteOutcome { Deleted, Stale }

    /// <summary>Deletes the message if <paramref name="generation"/> is its latest receive; an older handle deletes nothing.</summary>
    public DeleteOutcome Delete(Guid messageId, int generation)
    {
        lock (_gate)
        {
            if (!_messages.TryGetValue(messageId, out var message) || message.Generation != generation)
                return DeleteOutcome.Stale;
            RemoveLocked(message);
            return DeleteOutcome.Deleted;
        }
    }

    public bool ChangeVisibility(Guid messageId, int generation, int visibilityTimeout)
    {
        lock (_gate)
        {
            long now = Environment.TickCount64;
            RevealDueLocked(now);
            if (!_messages.TryGetValue(messageId, out var message) || message.Generation != generation || message.State != MessageState.InFlight)
                return false;

            if (visibilityTimeout == 0)
            {
                _inFlightCount--;
                message.ScheduleVersion++;
                MakeVisibleLocked(message);
            }
            else
            {
                ScheduleLocked(message, now + visibilityTimeout * 1000L);
            }

            PulseLocked();
            return true;
        }
    }

    public void Purge()
    {
        lock (_gate)
        {
            foreach (var message in _messages.Values)
                message.State = MessageState.Gone;
            _messages.Clear();
            _visible.Clear();
            _hidden.Clear();
            _visibleCount = _inFlightCount = _delayedCount = 0;
        }
    }

    public void ReleaseWaiters()
    {
        lock (_gate)
        {
            IsReleased = true;
            PulseLocked();
        }
    }

    public void MarkDeleted()
    {
        lock (_gate)
        {
            IsDeleted = true;
            PulseLocked();
        }

        Purge();
    }

    private List<Delivery> TakeLocked(int max, int visibilityTimeout, long now, ref List<SqsMessage>? exhausted)
    {
        RevealDueLocked(now);
        var deliveries = new List<Delivery>(Math.Min(max, _visibleCount));
        if (_visibleCount == 0)
            return deliveries;

        var settings = _settings;
        long nowUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long retentionMs = settings.MessageRetentionPeriod * 1000L;
        List<SqsMessage>? stayVisible = null;
        while (deliveries.Count < max && _visible.TryDequeue(out var message))
        {
            if (message.State != MessageState.Visible)
                continue; // deleted or moved while queued: dropped lazily here
            _visibleCount--;

            if (nowUnixMs - message.SentTimestamp > retentionMs)
            {
                message.State = MessageState.Gone;
                _messages.Remove(message.Id);
                continue;
            }

            // As on AWS, a message that was already received maxReceiveCount times is moved to the
            // dead-letter queue instead of being received again.
            if (settings.RedrivePolicy is { } redrive && message.ReceiveCount >= redrive.MaxReceiveCount && store.TryGetByArn(redrive.DeadLetterTargetArn, out _))
            {
                message.State = MessageState.Gone;
                _messages.Remove(message.Id);
                (exhausted ??= []).Add(message);
                continue;
            }

            message.ReceiveCount++;
            if (message.ReceiveCount == 1)
                message.FirstReceiveTimestamp = nowUnixMs;
            message.Generation++;
            if (visibilityTimeout > 0)
            {
                message.State = MessageState.InFlight;
                _inFlightCount++;
                ScheduleLocked(message, now + visibilityTimeout * 1000L);
            }
            else
            {
                message.State = MessageState.Visible;
                (stayVisible ??= []).Add(message);
            }

            deliveries.Add(new Delivery(message, ReceiptHandle.Create(message.Id, message.Generation), message.ReceiveCount, message.FirstReceiveTimestamp));
        }

        if (stayVisible is not null)
        {
            foreach (var message in stayVisible)
            {
                _visible.Enqueue(message);
                _visibleCount++;
            }
        }

        return deliveries;
    }

    private void MoveToDeadLetterQueue(List<SqsMessage> messages)
    {
        var redrive = _settings.RedrivePolicy;
        if (redrive is null || !store.TryGetByArn(redrive.DeadLetterTargetArn, out var deadLetterQueue))
            return;
        foreach (var message in messages)
            deadLetterQueue.AcceptDeadLetter(message);
    }

    /// <summary>Takes a message moved from a source queue; it keeps its id, body, sent time and receive count.</summary>
    private void AcceptDeadLetter(SqsMessage message)
    {
        lock (_gate)
        {
            message.ScheduleVersion++;
            _messages[message.Id] = message;
            MakeVisibleLocked(message);
            PulseLocked();
        }
    }

    private void RevealDueLocked(long now)
    {
        while (_hidden.TryPeek(out var entry, out long due) && due <= now)
        {
            _hidden.Dequeue();
            var message = entry.Message;
            if (entry.Version != message.ScheduleVersion)
                continue;
            if (message.State == MessageState.InFlight)
                _inFlightCount--;
            else if (message.State == MessageState.Delayed)
                _delayedCount--;
            else
                continue;
            MakeVisibleLocked(message);
        }
    }

    private void ScheduleLocked(SqsMessage message, long dueTick)
    {
        // Parked receivers sleep until the earliest due time they saw; an earlier one must wake them.
        bool earliest = !_hidden.TryPeek(out _, out long currentEarliest) || dueTick < currentEarliest;
        message.ScheduleVersion++;
        _hidden.Enqueue((message, message.ScheduleVersion), dueTick);
        if (earliest)
            PulseLocked();
    }

    private void MakeVisibleLocked(SqsMessage message)
    {
        message.State = MessageState.Visible;
        _visible.Enqueue(message);
        _visibleCount++;
    }

    private void RemoveLocked(SqsMessage message)
    {
        switch (message.State)
        {
            case MessageState.Visible: _visibleCount--; break;
            case MessageState.InFlight: _inFlightCount--; break;
            case MessageState.Delayed: _delayedCount--; break;
        }

        message.State = MessageState.Gone;
        message.ScheduleVersion++;
        _messages.Remove(message.Id);
    }

    // Wakes every parked receiver so it re-examines the queue (a message arrived or a due time moved).
    private void PulseLocked()
    {
        if (_waiters == 0 || _signal is null)
            return;
        _signal.TrySetResult();
        _signal = null;
    }
}
