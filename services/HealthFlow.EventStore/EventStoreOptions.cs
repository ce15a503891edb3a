using System.ComponentModel.DataAnnotations;

namespace HealthFlow.EventStore;

/// <summary>Bound from "HealthFlow:EventStore".</summary>
public sealed class EventStoreOptions
{
    public const string Section = "HealthFlow:EventStore";

    /// <summary>
    /// How long an append waits for its immediate publish before leaving the commit to the relay.
    /// The append has already succeeded by then, so this bounds command latency, not correctness.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Parallel Scan segments used by <see cref="IEventStore.ReadAllAsync"/> (replay).</summary>
    [Range(1, 64)]
    public int ReplaySegments { get; set; } = 4;
}

/// <summary>Bound from "HealthFlow:Outbox".</summary>
public sealed class OutboxOptions
{
    public const string Section = "HealthFlow:Outbox";

    /// <summary>Whether this process runs the relay (every process that appends should).</summary>
    public bool RelayEnabled { get; set; } = true;

    /// <summary>How often the relay sweeps the outbox index.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A commit still pending after this long is republished by the relay. Younger commits are
    /// most likely being published by their writer right now; republishing them would only add
    /// duplicates. Must be well above <see cref="EventStoreOptions.PublishTimeout"/> (checked on start).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RepublishAfter { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a relay holds an outbox shard per sweep; renewed at every sweep, so well above <see cref="SweepInterval"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The service whose commits this relay republishes: the streams it appends (HealthFlowAccess), under leases of
    /// its own, because its task role may remove the outbox marks of those commits only. Set on start from the
    /// service's name; unset in a process that is no service (the operator CLI, tests): every commit, shared leases.
    /// </summary>
    public string? Service { get; set; }

    /// <summary>
    /// How many times EventBridge may refuse one commit's event, in calls it otherwise accepted, before the relay
    /// parks the commit. Failed calls (the bus down or slow) are not counted: they say nothing about the commit.
    /// </summary>
    [Range(1, 1_000)]
    public int MaxPublishAttempts { get; set; } = 5;

    /// <summary>The republish age must leave the writer's own publish (and its mark's removal) time to finish.</summary>
    public const int RepublishAfterPublishTimeouts = 3;
}
