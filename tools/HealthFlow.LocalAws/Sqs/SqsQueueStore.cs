using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace HealthFlow.LocalAws.Sqs;

/// <summary>Every queue of the (single, fixed) account, by name.</summary>
internal sealed class SqsQueueStore(LocalAwsOptions options)
{
    private const string ArnPrefix = "arn:aws:sqs:";
    private readonly ConcurrentDictionary<string, SqsQueue> _queues = new(StringComparer.Ordinal);

    public string Region => options.Region;

    public string ArnFor(string queueName) => $"{ArnPrefix}{options.Region}:{LocalAwsOptions.AccountId}:{queueName}";

    public bool TryGet(string name, [NotNullWhen(true)] out SqsQueue? queue) => _queues.TryGetValue(name, out queue);

    /// <summary>The queue a request's QueueUrl names, or the SQS error a caller gets for it.</summary>
    public SqsQueue Resolve(string? queueUrl)
    {
        if (string.IsNullOrEmpty(queueUrl))
            throw SqsErrors.MissingParameter("QueueUrl");
        // The queue is the URL's last path segment (http://host:port/<account>/<name>); a bare name is accepted too.
        var trimmed = queueUrl.AsSpan().TrimEnd('/');
        var name = trimmed[(trimmed.LastIndexOf('/') + 1)..].ToString();
        if (!_queues.TryGetValue(name, out var queue))
            throw SqsErrors.QueueDoesNotExist();
        return queue;
    }

    /// <summary>Built from the request's origin, so the URL works whichever port LocalAws listens on.</summary>
    public static string UrlOf(string origin, string name) => $"{origin}/{LocalAwsOptions.AccountId}/{name}";

    /// <summary>Resolves an SQS ARN of this account (any region: LocalAws serves one) to its queue.</summary>
    public bool TryGetByArn(string arn, [NotNullWhen(true)] out SqsQueue? queue)
    {
        queue = null;
        if (!arn.StartsWith(ArnPrefix, StringComparison.Ordinal))
            return false;
        int lastColon = arn.LastIndexOf(':');
        return lastColon > ArnPrefix.Length && _queues.TryGetValue(arn[(lastColon + 1)..], out queue);
    }

    /// <summary>Adds the queue unless one of that name exists; returns the queue that is stored.</summary>
    public SqsQueue GetOrAdd(string name, Func<SqsQueue> create) => _queues.GetOrAdd(name, _ => create());

    public bool TryRemove(string name, [NotNullWhen(true)] out SqsQueue? queue) => _queues.TryRemove(name, out queue);

    public IEnumerable<SqsQueue> All => _queues.Values;

    /// <summary>Ends every long poll now (LocalAws is stopping); they answer with no messages.</summary>
    public void ReleaseWaiters()
    {
        foreach (var queue in _queues.Values)
            queue.ReleaseWaiters();
    }
}
