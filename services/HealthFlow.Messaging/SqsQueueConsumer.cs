using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.Topology;
using MassTransit.Mediator;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace HealthFlow.Messaging;

/// <summary>
/// The transport of one queue, after MassTransit's recipe for EventBridge-fed queues: raw JSON
/// bodies, SQS's own redrive to the DLQ instead of error queues, and no topology creation. It
/// long-polls, keeps at most MaxConcurrency messages in flight, hands each to the
/// <see cref="MediatorDispatcher"/>, and deletes a message only after its consumer succeeded. A
/// failure is not deleted: it comes back after the visibility timeout (or RetryDelay) and, after
/// maxReceiveCount receives, SQS moves it to the DLQ. On stop, in-flight messages finish.
/// </summary>
internal sealed class SqsQueueConsumer : BackgroundService
{
    private readonly QueueDefinition _definition;
    private readonly EventTypeMap _types;
    private readonly IAmazonSQS _sqs;
    private readonly IMediator _mediator;
    private readonly EventConsumerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    // Cancelled only when the host gives up waiting at shutdown; until then in-flight consumers finish.
    private readonly CancellationTokenSource _abort = new();

    public SqsQueueConsumer(
        QueueDefinition definition,
        EventTypeMap types,
        IAmazonSQS sqs,
        IMediator mediator,
        IOptionsMonitor<EventConsumerOptions> options,
        ILoggerFactory loggers,
        TimeProvider time)
    {
        _definition = definition;
        _types = types;
        _sqs = sqs;
        _mediator = mediator;
        _options = options.Get(definition.Name);
        _logger = loggers.CreateLogger($"{typeof(SqsQueueConsumer).FullName}[{definition.Name}]");
        _time = time;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(() => _abort.Cancel());
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        SqsQueue queue;
        try
        {
            queue = await SqsQueue.ResolveAsync(_sqs, _definition, _logger, _time, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        _logger.LogInformation("Consuming {Queue} ({EventTypes}) with up to {Concurrency} messages at once",
            queue.Name, string.Join(", ", _types.EventTypes), _options.MaxConcurrency);

        var dispatcher = new MediatorDispatcher(queue, _types, _mediator, _logger, _time);
        var visibility = new MessageVisibility(queue, _sqs, _options, _logger, _time);
        var gauges = new QueueGauges(queue, _sqs, _options, _logger, _time);
        var deletes = new BatchedDeletes(queue, _sqs, _logger);

        using var stopGauges = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var deleting = deletes.RunAsync(_abort.Token);
        var polling = gauges.PollDepthAsync(stopGauges.Token);
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

            var messages = await ReceiveAsync(queue, reserved, stoppingToken).ConfigureAwait(false);
            gauges.RecordReceived(messages);
            if (messages.Count < reserved)
                slots.Release(reserved - messages.Count);

            foreach (var message in messages)
            {
                var task = HandleAsync(message, dispatcher, visibility, deletes, slots);
                lock (inFlight)
                    inFlight.Add(task);
                _ = task.ContinueWith(t => { lock (inFlight) inFlight.Remove(t); }, TaskScheduler.Default);
            }
        }

        Task[] remaining;
        lock (inFlight)
            remaining = [.. inFlight];
        if (remaining.Length > 0)
            _logger.LogInformation("Stopping {Queue}: finishing {Count} in-flight messages", queue.Name, remaining.Length);
        await Task.WhenAll(remaining).ConfigureAwait(false);

        deletes.Complete();
        await deleting.ConfigureAwait(false);
        await stopGauges.CancelAsync().ConfigureAwait(false);
        await polling.ConfigureAwait(false);
        _logger.LogInformation("Stopped consuming {Queue}", queue.Name);
    }

    private async Task<List<Message>> ReceiveAsync(SqsQueue queue, int maxMessages, CancellationToken stoppingToken)
    {
        try
        {
            ReceiveMessageResponse response;
            // An idle long poll every 20 s per queue is not worth a trace of its own.
            using (SuppressInstrumentationScope.Begin())
            {
                response = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest
                {
                    QueueUrl = queue.Url,
                    MaxNumberOfMessages = maxMessages,
                    WaitTimeSeconds = _options.WaitTimeSeconds,
                    MessageSystemAttributeNames = ["SentTimestamp", "ApproximateReceiveCount"],
                    MessageAttributeNames = ["All"],
                }, stoppingToken).ConfigureAwait(false);
            }

            return response.Messages ?? [];
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return [];
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Receiving from {Queue} failed; retrying", queue.Name);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            return [];
        }
    }

    private async Task HandleAsync(Message message, MediatorDispatcher dispatcher, MessageVisibility visibility, BatchedDeletes deletes, SemaphoreSlim slots)
    {
        // Leave the receive loop's synchronous path at once: consumers may block before their first await.
        await Task.Yield();
        try
        {
            var receiveCount = ReceiveCount(message);
            Dispatched outcome;
            await using (var heartbeat = visibility.Hold(message))
            {
                try
                {
                    outcome = await dispatcher.DispatchAsync(message, receiveCount, _abort.Token).ConfigureAwait(false);
                }
                finally
                {
                    // Before anything else sets the visibility: a late extension would override a retry delay.
                    await heartbeat.StopAsync().ConfigureAwait(false);
                }
            }

            switch (outcome.Result)
            {
                case DispatchResult.Handled:
                    deletes.Enqueue(message, outcome.Trace);
                    break;
                case DispatchResult.Failed:
                    await visibility.DelayRedeliveryAsync(message, receiveCount).ConfigureAwait(false);
                    break;
                case DispatchResult.Undeliverable:
                    await visibility.ReleaseForDeadLetterAsync(message).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Handling message {MessageId} from {Queue} failed unexpectedly; it will be delivered again", message.MessageId, _definition.Name);
        }
        finally
        {
            slots.Release();
        }
    }

    private static int ReceiveCount(Message message) =>
        message.Attributes?.TryGetValue("ApproximateReceiveCount", out var count) == true
        && int.TryParse(count, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 1;

    public override void Dispose()
    {
        _abort.Dispose();
        base.Dispose();
    }
}
