using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.Domain;
using HealthFlow.Topology;

namespace HealthFlow.Messaging;

/// <summary>Sends a message to one of our queues, to be delivered at a given time (at most 15 minutes ahead per send).</summary>
public interface IDelayedMessages
{
    /// <summary>Sends the message; returns its id, which its consumer sees as the MassTransit MessageId (on every delivery of it).</summary>
    Task<Guid> SendAsync<TMessage>(QueueDefinition queue, StreamId about, TMessage message, DateTimeOffset dueAt, EventMetadata metadata, CancellationToken cancellationToken)
        where TMessage : class;
}

/// <summary>
/// Sends a message to one of our queues, to be delivered at (or, for a time more than 15 minutes away,
/// towards) a given time: SQS's DelaySeconds, capped at its maximum of 900. The consumer of a message that
/// arrives before its time sends it on again with the remaining delay. The body is a bare
/// <see cref="EventEnvelope"/> (type = the message's type name, stream = what it is about, version 0: it is not
/// stored), which the consumer host reads like any event, trace context and causation included.
/// </summary>
public sealed class DelayedMessages(IAmazonSQS sqs, TimeProvider time) : IDelayedMessages
{
    private readonly ConcurrentDictionary<string, Task<string>> _urls = new(StringComparer.Ordinal);

    /// <summary>The delay SQS is asked for: the time left until <paramref name="dueAt"/>, rounded up, within 0..900 s.</summary>
    public static int DelaySeconds(DateTimeOffset dueAt, DateTimeOffset now)
    {
        var remaining = Math.Ceiling((dueAt - now).TotalSeconds);
        return (int)Math.Clamp(remaining, 0, HealthFlowTopology.Queues.MaxDelay.TotalSeconds);
    }

    public async Task<Guid> SendAsync<TMessage>(
        QueueDefinition queue, StreamId about, TMessage message, DateTimeOffset dueAt, EventMetadata metadata, CancellationToken cancellationToken)
        where TMessage : class
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(metadata);
        var now = time.GetUtcNow();
        var envelope = new EventEnvelope(
            Guid.CreateVersion7(now),
            about.Value,
            Version: 0,
            typeof(TMessage).Name,
            now,
            JsonSerializer.SerializeToElement(message, DomainJson.Options),
            metadata);
        var url = await QueueUrlAsync(queue.Name, cancellationToken).ConfigureAwait(false);
        await sqs.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = url,
            MessageBody = JsonSerializer.Serialize(envelope, DomainJson.Options),
            DelaySeconds = DelaySeconds(dueAt, now),
            MessageAttributes = new Dictionary<string, MessageAttributeValue>
            {
                ["dueAt"] = new() { DataType = "String", StringValue = dueAt.ToString("O", CultureInfo.InvariantCulture) },
            },
        }, cancellationToken).ConfigureAwait(false);
        return envelope.EventId;
    }

    // A failed lookup is forgotten, so the next send asks again.
    private Task<string> QueueUrlAsync(string name, CancellationToken cancellationToken)
    {
        var lookup = _urls.GetOrAdd(name, n => LookUpAsync(n));
        if (lookup.IsFaulted || lookup.IsCanceled)
        {
            _urls.TryRemove(new KeyValuePair<string, Task<string>>(name, lookup));
        }

        return lookup.WaitAsync(cancellationToken);

        async Task<string> LookUpAsync(string n) => (await sqs.GetQueueUrlAsync(n, CancellationToken.None).ConfigureAwait(false)).QueueUrl;
    }
}
