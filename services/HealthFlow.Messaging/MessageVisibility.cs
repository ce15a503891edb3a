using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.EventStore;
using Microsoft.Extensions.Logging;

namespace HealthFlow.Messaging;

/// <summary>
/// When a received message may be seen again: kept invisible while it is handled (a heartbeat), then
/// delayed after a failure, or released at once for the DLQ.
/// </summary>
internal sealed class MessageVisibility
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromHours(12);
    private static readonly TimeSpan FirstHeartbeatRetry = TimeSpan.FromMilliseconds(200);

    private readonly SqsQueue _queue;
    private readonly IAmazonSQS _sqs;
    private readonly EventConsumerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly KeyValuePair<string, object?> _queueTag;

    public MessageVisibility(SqsQueue queue, IAmazonSQS sqs, EventConsumerOptions options, ILogger logger, TimeProvider time)
    {
        _queue = queue;
        _sqs = sqs;
        _options = options;
        _logger = logger;
        _time = time;
        _queueTag = new("queue", queue.Name);
    }

    /// <summary>Extends the message's visibility every half timeout until the returned heartbeat is stopped.</summary>
    public Heartbeat Hold(Message message) => new(this, message);

    /// <summary>After a failure: visible again after <see cref="EventConsumerOptions.RetryDelay"/>, doubled per receive; unset leaves the queue's timeout.</summary>
    public Task DelayRedeliveryAsync(Message message, int receiveCount)
    {
        if (_options.RetryDelay is not { } baseDelay)
            return Task.CompletedTask;
        var delay = TimeSpan.FromTicks(Math.Min(baseDelay.Ticks * (1L << Math.Min(receiveCount - 1, 20)), MaxRetryDelay.Ticks));
        return ChangeOnceAsync(message, delay, "the retry delay");
    }

    /// <summary>
    /// Visible again at once. For a message no consumer here can handle: SQS counts each receive and,
    /// after maxReceiveCount, moves it to the DLQ, where an operator sees it and can redrive it.
    /// </summary>
    public Task ReleaseForDeadLetterAsync(Message message) => ChangeOnceAsync(message, TimeSpan.Zero, "its release");

    private async Task ChangeOnceAsync(Message message, TimeSpan visibility, string what)
    {
        try
        {
            await ChangeAsync(message, visibility, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Setting {What} of {MessageId} on {Queue} failed", what, message.MessageId, _queue.Name);
        }
    }

    private Task ChangeAsync(Message message, TimeSpan visibility, CancellationToken cancellationToken) =>
        _sqs.ChangeMessageVisibilityAsync(new ChangeMessageVisibilityRequest
        {
            QueueUrl = _queue.Url,
            ReceiptHandle = message.ReceiptHandle,
            VisibilityTimeout = (int)Math.Ceiling(visibility.TotalSeconds),
        }, cancellationToken);

    /// <summary>
    /// A slow consumer must not let its message reappear for another consumer mid-flight. A failed
    /// extension is retried with backoff (well within the timeout) instead of ending the heartbeat.
    /// </summary>
    internal sealed class Heartbeat : IAsyncDisposable
    {
        private readonly MessageVisibility _owner;
        private readonly Message _message;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _beating;

        public Heartbeat(MessageVisibility owner, Message message)
        {
            _owner = owner;
            _message = message;
            _beating = BeatAsync(_stop.Token);
        }

        /// <summary>Stops extending and waits until no extension is in flight, so nothing overrides what is set next.</summary>
        public async Task StopAsync()
        {
            if (!_stop.IsCancellationRequested)
                await _stop.CancelAsync().ConfigureAwait(false);
            await _beating.ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync().ConfigureAwait(false);
            _stop.Dispose();
        }

        private async Task BeatAsync(CancellationToken stopped)
        {
            var owner = _owner;
            var timeout = owner._queue.VisibilityTimeout;
            var interval = TimeSpan.FromTicks(Math.Max(timeout.Ticks / 2, TimeSpan.FromMilliseconds(500).Ticks));
            var wait = interval;
            var failures = 0;
            try
            {
                while (true)
                {
                    await Task.Delay(wait, owner._time, stopped).ConfigureAwait(false);
                    try
                    {
                        await owner.ChangeAsync(_message, timeout, stopped).ConfigureAwait(false);
                        HealthFlowTelemetry.VisibilityExtended.Add(1, owner._queueTag);
                        failures = 0;
                        wait = interval;
                    }
                    catch (Exception ex) when (ex is ReceiptHandleIsInvalidException or MessageNotInflightException)
                    {
                        // The message is no longer ours to keep (it timed out and was received again, or was deleted).
                        owner._logger.LogWarning(ex, "Message {MessageId} on {Queue} is no longer in flight; it may be delivered again", _message.MessageId, owner._queue.Name);
                        return;
                    }
                    catch (Exception ex) when (!stopped.IsCancellationRequested)
                    {
                        failures++;
                        wait = TimeSpan.FromTicks(Math.Min(FirstHeartbeatRetry.Ticks << Math.Min(failures - 1, 10), interval.Ticks));
                        HealthFlowTelemetry.VisibilityExtensionFailures.Add(1, owner._queueTag);
                        owner._logger.LogWarning(ex, "Extending the visibility of {MessageId} on {Queue} failed ({Failures} in a row); retrying in {Delay}",
                            _message.MessageId, owner._queue.Name, failures, wait);
                    }
                }
            }
            catch (OperationCanceledException) when (stopped.IsCancellationRequested)
            {
            }
        }
    }
}
