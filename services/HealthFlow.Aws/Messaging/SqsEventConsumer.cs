using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.Aws.Diagnostics;
using HealthFlow.Aws.Topology;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace HealthFlow.Aws.Messaging;

/// <summary>
/// Consumes one queue, after MassTransit's recipe for EventBridge-fed queues: raw JSON bodies,
/// SQS's own redrive to the DLQ instead of error queues, and no topology creation.
/// A message is deleted only after its handlers succeeded; a failure is simply not deleted, so it
/// comes back after the visibility timeout and, after maxReceiveCount receives, moves to the DLQ.
/// </summary>
internal sealed class SqsEventConsumer : BackgroundService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromHours(12);

    private readonly QueueDefinition _queue;
    private readonly EventSubscriptions _subscriptions;
    private readonly IAmazonSQS _sqs;
    private readonly IServiceScopeFactory _scopes;
    private readonly EventConsumerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HealthFlowTelemetry.QueueGauges _gauges;
    private readonly KeyValuePair<string, object?> _queueTag;

    // Cancelled only when the host gives up waiting at shutdown; until then in-flight handlers finish.
    private readonly CancellationTokenSource _abortHandlers = new();
    private readonly Channel<(Message Message, ActivityContext Trace)> _deletions = Channel.CreateUnbounded<(Message, ActivityContext)>(
        new UnboundedChannelOptions { SingleReader = true });

    private string _queueUrl = string.Empty;
    private TimeSpan _visibilityTimeout;

    public SqsEventConsumer(
        QueueDefinition queue,
        EventSubscriptions subscriptions,
        IAmazonSQS sqs,
        IServiceScopeFactory scopes,
        IOptionsMonitor<EventConsumerOptions> options,
        ILoggerFactory loggers,
        TimeProvider time)
    {
        _queue = queue;
        _subscriptions = subscriptions;
        _sqs = sqs;
        _scopes = scopes;
        _options = options.Get(queue.Name);
        _logger = loggers.CreateLogger($"{typeof(SqsEventConsumer).FullName}[{queue.Name}]");
        _time = time;
        _gauges = HealthFlowTelemetry.ForQueue(queue.Name);
        _queueTag = new("queue", queue.Name);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(() => _abortHandlers.Cancel());
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            _queueUrl = await ResolveQueueUrlAsync(stoppingToken).ConfigureAwait(false);
            _visibilityTimeout = await ReadVisibilityTimeoutAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        _logger.LogInformation("Consuming {Queue} ({EventTypes}) with up to {Concurrency} handlers at once",
            _queue.Name, string.Join(", ", _subscriptions.EventTypes), _options.MaxConcurrency);

        using var stopDepthPolling = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var deleter = DeleteLoopAsync();
        var depthPoller = PollDepthAsync(stopDepthPolling.Token);
        var inFlight = new HashSet<Task>();
        using var slots = new SemaphoreSlim(_options.MaxConcurrency, _options.MaxConcurrency);

        while (!stoppingToken.IsCancellationRequested)
        {
            int reserved;
            try
            {
                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                reserved = 1;
                while (reserved < _options.MaxMessagesPerReceive && slots.Wait(0))
                    reserved++;
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var messages = await ReceiveAsync(reserved, stoppingToken).ConfigureAwait(false);
            if (messages.Count < reserved)
                slots.Release(reserved - messages.Count);

            foreach (var message in messages)
            {
                var task = HandleAsync(message, slots);
                lock (inFlight)
                    inFlight.Add(task);
                _ = task.ContinueWith(t => { lock (inFlight) inFlight.Remove(t); }, TaskScheduler.Default);
            }
        }

        Task[] remaining;
        lock (inFlight)
            remaining = [.. inFlight];
        if (remaining.Length > 0)
            _logger.LogInformation("Stopping {Queue}: finishing {Count} in-flight messages", _queue.Name, remaining.Length);
        await Task.WhenAll(remaining).ConfigureAwait(false);

        _deletions.Writer.TryComplete();
        await deleter.ConfigureAwait(false);
        await stopDepthPolling.CancelAsync().ConfigureAwait(false);
        await depthPoller.ConfigureAwait(false);
        _logger.LogInformation("Stopped consuming {Queue}", _queue.Name);
    }

    private async Task<List<Message>> ReceiveAsync(int maxMessages, CancellationToken stoppingToken)
    {
        try
        {
            ReceiveMessageResponse response;
            // An idle long poll every 20 s per queue is not worth a trace of its own.
            using (SuppressInstrumentationScope.Begin())
            {
                response = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest
                {
                    QueueUrl = _queueUrl,
                    MaxNumberOfMessages = maxMessages,
                    WaitTimeSeconds = _options.WaitTimeSeconds,
                    MessageSystemAttributeNames = ["SentTimestamp", "ApproximateReceiveCount"],
                    MessageAttributeNames = ["All"],
                }, stoppingToken).ConfigureAwait(false);
            }

            var messages = response.Messages ?? [];
            RecordLag(messages);
            return messages;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return [];
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Receiving from {Queue} failed; retrying", _queue.Name);
            await DelayAsync(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
            return [];
        }
    }

    private async Task HandleAsync(Message message, SemaphoreSlim slots)
    {
        // Leave the receive loop's synchronous path at once: handlers may block before their first await.
        await Task.Yield();
        try
        {
            await DispatchAsync(message, ReceiveCount(message)).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task DispatchAsync(Message message, int receiveCount)
    {
        if (!EventMessage.TryParse(message.Body, out var envelope, out var error))
        {
            // Not deleted: the DLQ keeps it for an operator to look at.
            HealthFlowTelemetry.MessagesFailed.Add(1, _queueTag);
            _logger.LogError("Message {MessageId} on {Queue} is not a HealthFlow event ({Error}); leaving it for the DLQ",
                message.MessageId, _queue.Name, error);
            return;
        }

        var handlers = _subscriptions.For(envelope.Type);
        if (handlers.Count == 0)
        {
            HealthFlowTelemetry.MessagesUnknown.Add(1, _queueTag);
            _logger.LogWarning("No handler for {EventType} on {Queue}; deleting event {EventId}", envelope.Type, _queue.Name, envelope.EventId);
            await _deletions.Writer.WriteAsync((message, default)).ConfigureAwait(false);
            return;
        }

        // Continue the producer's trace: the span that appended the event is this span's parent.
        ActivityContext.TryParse(envelope.Metadata.Traceparent, envelope.Metadata.Tracestate, isRemote: true, out var parent);
        using var activity = HealthFlowTelemetry.ActivitySource.StartActivity($"process {_queue.Name}", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "aws_sqs");
        activity?.SetTag("messaging.operation.type", "process");
        activity?.SetTag("messaging.destination.name", _queue.Name);
        activity?.SetTag("messaging.message.id", message.MessageId);
        activity?.SetTag("healthflow.event_id", envelope.EventId.ToString());
        activity?.SetTag("healthflow.event_type", envelope.Type);
        activity?.SetTag("healthflow.stream_id", envelope.StreamId);
        activity?.SetTag("healthflow.receive_count", receiveCount);

        using var logScope = _logger.BeginScope(new Dictionary<string, object>
        {
            ["EventId"] = envelope.EventId,
            ["EventType"] = envelope.Type,
            ["CorrelationId"] = envelope.Metadata.CorrelationId,
        });

        var started = _time.GetTimestamp();
        using var heartbeat = new CancellationTokenSource();
        var keepInvisible = KeepInvisibleAsync(message, heartbeat.Token);
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            foreach (var handler in handlers)
                await handler.Dispatch(scope.ServiceProvider, envelope, _abortHandlers.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            HealthFlowTelemetry.MessagesFailed.Add(1, _queueTag);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.AddException(ex);
            _logger.LogWarning(ex, "Handling {EventType} {EventId} from {Queue} failed (receive {ReceiveCount} of {MaxReceiveCount}); it will be redelivered",
                envelope.Type, envelope.EventId, _queue.Name, receiveCount, _queue.MaxReceiveCount);
            await DelayRedeliveryAsync(message, receiveCount).ConfigureAwait(false);
            return;
        }
        finally
        {
            HealthFlowTelemetry.HandlerDuration.Record(_time.GetElapsedTime(started).TotalSeconds, _queueTag);
            await heartbeat.CancelAsync().ConfigureAwait(false);
            await keepInvisible.ConfigureAwait(false);
        }

        HealthFlowTelemetry.MessagesHandled.Add(1, _queueTag);
        await _deletions.Writer.WriteAsync((message, activity?.Context ?? default)).ConfigureAwait(false);
    }

    // A slow handler must not let the message reappear for another consumer mid-flight.
    private async Task KeepInvisibleAsync(Message message, CancellationToken handled)
    {
        var interval = TimeSpan.FromTicks(Math.Max(_visibilityTimeout.Ticks / 2, TimeSpan.FromMilliseconds(500).Ticks));
        try
        {
            while (true)
            {
                await Task.Delay(interval, _time, handled).ConfigureAwait(false);
                await _sqs.ChangeMessageVisibilityAsync(new ChangeMessageVisibilityRequest
                {
                    QueueUrl = _queueUrl,
                    ReceiptHandle = message.ReceiptHandle,
                    VisibilityTimeout = (int)Math.Ceiling(_visibilityTimeout.TotalSeconds),
                }, handled).ConfigureAwait(false);
                HealthFlowTelemetry.VisibilityExtended.Add(1, _queueTag);
            }
        }
        catch (OperationCanceledException) when (handled.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Extending the visibility of {MessageId} on {Queue} failed; it may be delivered again", message.MessageId, _queue.Name);
        }
    }

    private async Task DelayRedeliveryAsync(Message message, int receiveCount)
    {
        if (_options.RetryDelay is not { } baseDelay)
            return;
        var delay = TimeSpan.FromTicks(Math.Min(baseDelay.Ticks * (1L << Math.Min(receiveCount - 1, 20)), MaxRetryDelay.Ticks));
        try
        {
            await _sqs.ChangeMessageVisibilityAsync(new ChangeMessageVisibilityRequest
            {
                QueueUrl = _queueUrl,
                ReceiptHandle = message.ReceiptHandle,
                VisibilityTimeout = (int)Math.Ceiling(delay.TotalSeconds),
            }).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Setting the retry delay of {MessageId} on {Queue} failed", message.MessageId, _queue.Name);
        }
    }

    // Batches whatever succeeded meanwhile into one DeleteMessageBatch (up to 10), without waiting for more.
    private async Task DeleteLoopAsync()
    {
        var reader = _deletions.Reader;
        var batch = new List<(Message Message, ActivityContext Trace)>(10);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < 10 && reader.TryRead(out var handled))
                batch.Add(handled);

            // The delete acknowledges the first message's processing, so it belongs in that trace;
            // the other messages' traces are linked.
            var traced = batch.Where(b => b.Trace != default).Select(b => b.Trace).ToList();
            using var activity = traced.Count == 0 ? null : HealthFlowTelemetry.ActivitySource.StartActivity(
                $"settle {_queue.Name}", ActivityKind.Internal, traced[0], links: traced.Skip(1).Select(t => new ActivityLink(t)));
            activity?.SetTag("messaging.batch.message_count", batch.Count);
            try
            {
                // Entry ids are batch positions: a redelivered message can sit in one batch twice under the same MessageId.
                var response = await _sqs.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
                {
                    QueueUrl = _queueUrl,
                    Entries = batch.Select((b, i) => new DeleteMessageBatchRequestEntry
                    {
                        Id = i.ToString(CultureInfo.InvariantCulture),
                        ReceiptHandle = b.Message.ReceiptHandle,
                    }).ToList(),
                }, _abortHandlers.Token).ConfigureAwait(false);
                foreach (var failed in response.Failed ?? [])
                {
                    var messageId = int.TryParse(failed.Id, CultureInfo.InvariantCulture, out var index) && index < batch.Count ? batch[index].Message.MessageId : failed.Id;
                    _logger.LogWarning("Deleting message {MessageId} from {Queue} failed ({Code}: {Reason}); it will be delivered again",
                        messageId, _queue.Name, failed.Code, failed.Message);
                }
            }
            catch (Exception ex)
            {
                // Handlers are idempotent: an undeleted message is only a duplicate delivery later.
                _logger.LogWarning(ex, "Deleting {Count} handled messages from {Queue} failed; they will be delivered again", batch.Count, _queue.Name);
            }
        }
    }

    private async Task PollDepthAsync(CancellationToken stoppingToken)
    {
        string? deadLetterUrl = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using (SuppressInstrumentationScope.Begin())
                {
                    var attributes = await _sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
                    {
                        QueueUrl = _queueUrl,
                        AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
                    }, stoppingToken).ConfigureAwait(false);
                    _gauges.Depth = attributes.ApproximateNumberOfMessages;
                    _gauges.InFlight = attributes.ApproximateNumberOfMessagesNotVisible;

                    deadLetterUrl ??= (await _sqs.GetQueueUrlAsync(_queue.DeadLetterQueueName, stoppingToken).ConfigureAwait(false)).QueueUrl;
                    var deadLetters = await _sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
                    {
                        QueueUrl = deadLetterUrl,
                        AttributeNames = ["ApproximateNumberOfMessages"],
                    }, stoppingToken).ConfigureAwait(false);
                    _gauges.DeadLetters = deadLetters.ApproximateNumberOfMessages;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _logger.LogDebug(ex, "Reading the depth of {Queue} failed", _queue.Name);
            }

            await DelayAsync(_options.DepthPollInterval, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task<string> ResolveQueueUrlAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        var attempt = 0;
        while (true)
        {
            try
            {
                return (await _sqs.GetQueueUrlAsync(_queue.Name, stoppingToken).ConfigureAwait(false)).QueueUrl;
            }
            catch (Exception ex) when (ex is QueueDoesNotExistException or AmazonSQSException { StatusCode: >= System.Net.HttpStatusCode.InternalServerError } or HttpRequestException)
            {
                // Provisioning (or the endpoint itself) may still be starting: wait for it politely.
                if (attempt++ % 10 == 0)
                    _logger.LogInformation("Queue {Queue} is not available yet ({Reason}); waiting", _queue.Name, ex.Message);
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private async Task<TimeSpan> ReadVisibilityTimeoutAsync(CancellationToken stoppingToken)
    {
        var attributes = await _sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = _queueUrl,
            AttributeNames = ["VisibilityTimeout"],
        }, stoppingToken).ConfigureAwait(false);
        return attributes.VisibilityTimeout is { } seconds and > 0 ? TimeSpan.FromSeconds(seconds) : _queue.VisibilityTimeout;
    }

    private void RecordLag(List<Message> messages)
    {
        var now = _time.GetUtcNow();
        double oldest = 0;
        foreach (var message in messages)
        {
            if (message.Attributes?.TryGetValue("SentTimestamp", out var sent) == true
                && long.TryParse(sent, NumberStyles.Integer, CultureInfo.InvariantCulture, out var sentMs))
            {
                var age = Math.Max(0, (now - DateTimeOffset.FromUnixTimeMilliseconds(sentMs)).TotalSeconds);
                HealthFlowTelemetry.MessageAge.Record(age, _queueTag);
                oldest = Math.Max(oldest, age);
            }
        }

        _gauges.OldestMessageAgeSeconds = oldest;
    }

    private static int ReceiveCount(Message message) =>
        message.Attributes?.TryGetValue("ApproximateReceiveCount", out var count) == true
        && int.TryParse(count, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 1;

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override void Dispose()
    {
        _abortHandlers.Dispose();
        base.Dispose();
    }
}
