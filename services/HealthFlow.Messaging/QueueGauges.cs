using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.EventStore;
using Microsoft.Extensions.Logging;
using OpenTelemetry;

namespace HealthFlow.Messaging;

/// <summary>The queue's gauges: depth, in flight and dead letters (polled), and lag (from what each receive returned).</summary>
internal sealed class QueueGauges(SqsQueue queue, IAmazonSQS sqs, EventConsumerOptions options, ILogger logger, TimeProvider time)
{
    private readonly HealthFlowTelemetry.QueueGauges _gauges = HealthFlowTelemetry.ForQueue(queue.Name);
    private readonly KeyValuePair<string, object?> _queueTag = new("queue", queue.Name);

    /// <summary>Reads the depth of the queue and of its DLQ every <see cref="EventConsumerOptions.DepthPollInterval"/> until stopped.</summary>
    public async Task PollDepthAsync(CancellationToken stoppingToken)
    {
        string? deadLetterUrl = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A poll every few seconds per queue is not worth a trace of its own.
                using (SuppressInstrumentationScope.Begin())
                {
                    var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
                    {
                        QueueUrl = queue.Url,
                        AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
                    }, stoppingToken).ConfigureAwait(false);
                    _gauges.Depth = attributes.ApproximateNumberOfMessages;
                    _gauges.InFlight = attributes.ApproximateNumberOfMessagesNotVisible;

                    deadLetterUrl ??= (await sqs.GetQueueUrlAsync(queue.Definition.DeadLetterQueueName, stoppingToken).ConfigureAwait(false)).QueueUrl;
                    var deadLetters = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
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
                logger.LogDebug(ex, "Reading the depth of {Queue} failed", queue.Name);
            }

            try
            {
                await Task.Delay(options.DepthPollInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>The lag: how long the received messages had waited (now - SentTimestamp).</summary>
    public void RecordReceived(IReadOnlyList<Message> messages)
    {
        var now = time.GetUtcNow();
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
}
