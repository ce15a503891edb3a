using System.Collections.Concurrent;
using HealthFlow.Aws.Messaging;
using HealthFlow.Aws.Topology;
using HealthFlow.Domain;

namespace HealthFlow.Consumers.Tests;

/// <summary>Remembers every delayed message sent, with the delay SQS would have been asked for.</summary>
public sealed class RecordingDelayedMessages(TimeProvider time) : IDelayedMessages
{
    public ConcurrentQueue<(string Queue, StreamId About, object Message, DateTimeOffset DueAt, int DelaySeconds, EventMetadata Metadata)> Sent { get; } = new();

    public Task SendAsync<TMessage>(QueueDefinition queue, StreamId about, TMessage message, DateTimeOffset dueAt, EventMetadata metadata, CancellationToken cancellationToken)
        where TMessage : class
    {
        Sent.Enqueue((queue.Name, about, message, dueAt, DelayedMessages.DelaySeconds(dueAt, time.GetUtcNow()), metadata));
        return Task.CompletedTask;
    }
}
