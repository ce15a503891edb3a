using System.Collections.Concurrent;
using HealthFlow.Domain;
using HealthFlow.Messaging;
using HealthFlow.Topology;

namespace HealthFlow.Consumers.Tests;

/// <summary>Remembers every delayed message sent, with the delay SQS would have been asked for.</summary>
public sealed class RecordingDelayedMessages(TimeProvider time) : IDelayedMessages
{
    public ConcurrentQueue<(string Queue, StreamId About, object Message, DateTimeOffset DueAt, int DelaySeconds, EventMetadata Metadata, Guid MessageId)> Sent { get; } = new();

    /// <summary>How many of the next sends fail, as SQS or the process might.</summary>
    public int FailNext { get; set; }

    public Task<Guid> SendAsync<TMessage>(QueueDefinition queue, StreamId about, TMessage message, DateTimeOffset dueAt, EventMetadata metadata, CancellationToken cancellationToken)
        where TMessage : class
    {
        if (FailNext > 0)
        {
            FailNext--;
            throw new IOException("The delayed message was not sent.");
        }

        var messageId = Guid.CreateVersion7();
        Sent.Enqueue((queue.Name, about, message, dueAt, DelayedMessages.DelaySeconds(dueAt, time.GetUtcNow()), metadata, messageId));
        return Task.FromResult(messageId);
    }
}

/// <summary>The chains of delayed messages in memory, with the same conditional steps as the `leases` table items.</summary>
public sealed class InMemoryDelayedMessageChains : IDelayedMessageChains
{
    private readonly ConcurrentDictionary<string, Guid> _legs = new();

    /// <summary>The leg each chain was last handed to.</summary>
    public IReadOnlyDictionary<string, Guid> Legs => _legs;

    public Task<bool> TryCarryAsync(string chain, Guid leg, CancellationToken cancellationToken) =>
        Task.FromResult(_legs.GetOrAdd(chain, leg) == leg);

    public Task<bool> HandOverAsync(string chain, Guid leg, Guid next, CancellationToken cancellationToken) =>
        Task.FromResult(_legs.TryUpdate(chain, next, leg));

    public Task EndAsync(string chain, CancellationToken cancellationToken)
    {
        _legs.TryRemove(chain, out _);
        return Task.CompletedTask;
    }
}
