using System.ComponentModel.DataAnnotations;

namespace HealthFlow.Messaging;

/// <summary>One queue's consumer settings, bound from "HealthFlow:Consumers:&lt;queue name&gt;".</summary>
public sealed class EventConsumerOptions
{
    public const string Section = "HealthFlow:Consumers";

    /// <summary>Messages consumed at once by this process from this queue.</summary>
    [Range(1, 1_000)]
    public int MaxConcurrency { get; set; } = 10;

    /// <summary>Messages asked for per ReceiveMessage (SQS allows 1 to 10).</summary>
    [Range(1, 10)]
    public int MaxMessagesPerReceive { get; set; } = 10;

    /// <summary>Long-poll wait (SQS allows 0 to 20 s).</summary>
    [Range(0, 20)]
    public int WaitTimeSeconds { get; set; } = 20;

    /// <summary>
    /// Once the consumer still failed after MassTransit's retries, the message becomes visible again
    /// after this delay, doubled on each further receive. Unset: the queue's own visibility timeout
    /// decides when it is redelivered.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "12:00:00")]
    public TimeSpan? RetryDelay { get; set; }

    /// <summary>How often queue depth (and the DLQ's) is read for the metrics.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DepthPollInterval { get; set; } = TimeSpan.FromSeconds(15);
}
