using System.Globalization;
using HealthFlow.LocalAws.Protocol;

namespace HealthFlow.LocalAws.Sqs;

/// <summary>
/// SQS's queue administration: creating, finding, configuring, listing, purging and deleting queues.
/// What goes through a queue is <see cref="SqsMessaging"/>'s.
/// </summary>
internal sealed class SqsQueueAdministration(SqsQueueStore queues)
{
    // SQS checks MaxResults before NextToken.
    private static readonly Paging QueuePages = new(
        MaxPageSize: 1000,
        InvalidPageSize: () => SqsErrors.InvalidParameterValue("Value for parameter MaxResults is invalid. Reason: Must be between 1 and 1000."),
        InvalidNextToken: () => SqsErrors.InvalidParameterValue("Invalid NextToken value."),
        PageSizeCheckedFirst: true);

    public QueueUrlResponse CreateQueue(CreateQueueRequest request, string origin)
    {
        var name = SqsValidation.QueueName(request.QueueName);
        var settings = new QueueSettings().With(request.Attributes, arn => queues.TryGetByArn(arn, out _));
        var queue = queues.GetOrAdd(name, () => new SqsQueue(name, queues.ArnFor(name), settings, queues));
        if (!ReferenceEquals(queue.Settings, settings) && !queue.Settings.Agrees(request.Attributes))
            throw SqsErrors.QueueNameExists(name);

        return new QueueUrlResponse(SqsQueueStore.UrlOf(origin, name));
    }

    public QueueUrlResponse GetQueueUrl(GetQueueUrlRequest request, string origin)
    {
        if (string.IsNullOrEmpty(request.QueueName))
            throw SqsErrors.MissingParameter("QueueName");
        if (!queues.TryGet(request.QueueName, out _))
            throw SqsErrors.QueueDoesNotExist();
        return new QueueUrlResponse(SqsQueueStore.UrlOf(origin, request.QueueName));
    }

    /// <summary>The selected attributes; none selected is an answer without attributes, as on AWS.</summary>
    public QueueAttributesResponse GetQueueAttributes(GetQueueAttributesRequest request)
    {
        var queue = queues.Resolve(request.QueueUrl);
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        queue.Settings.WriteTo(all);
        var (visible, inFlight, delayed) = queue.Counts();
        all["ApproximateNumberOfMessages"] = Text(visible);
        all["ApproximateNumberOfMessagesNotVisible"] = Text(inFlight);
        all["ApproximateNumberOfMessagesDelayed"] = Text(delayed);
        all["CreatedTimestamp"] = Text(queue.CreatedTimestamp);
        all["LastModifiedTimestamp"] = Text(queue.LastModifiedTimestamp);
        all["QueueArn"] = queue.Arn;

        var names = request.AttributeNames ?? [];
        if (names.Contains("All"))
            return new QueueAttributesResponse(all);

        var selected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var attributeName in names)
        {
            if (all.TryGetValue(attributeName, out var value))
                selected[attributeName] = value;
            else if (!IsKnownOptionalAttribute(attributeName))
                throw SqsErrors.InvalidAttributeName(attributeName);
        }

        return new QueueAttributesResponse(selected.Count > 0 ? selected : null);
    }

    public void SetQueueAttributes(SetQueueAttributesRequest request)
    {
        var queue = queues.Resolve(request.QueueUrl);
        if (request.Attributes is { } attributes)
        {
            foreach (var attributeName in attributes.Keys)
            {
                if (QueueSettings.ReadOnlyNames.Contains(attributeName))
                    throw SqsErrors.InvalidAttributeName(attributeName);
            }
        }

        queue.UpdateSettings(queue.Settings.With(request.Attributes, arn => queues.TryGetByArn(arn, out _)));
    }

    public void PurgeQueue(QueueUrlRequest request) => queues.Resolve(request.QueueUrl).Purge();

    public void DeleteQueue(QueueUrlRequest request)
    {
        var queue = queues.Resolve(request.QueueUrl);
        if (queues.TryRemove(queue.Name, out var removed))
            removed.MarkDeleted();
    }

    public ListQueuesResponse ListQueues(ListQueuesRequest request, string origin)
    {
        var (urls, nextToken) = UrlPage(
            queues.All.Where(q => request.QueueNamePrefix is null || q.Name.StartsWith(request.QueueNamePrefix, StringComparison.Ordinal)),
            request.MaxResults,
            request.NextToken,
            origin);
        return new ListQueuesResponse(urls, nextToken);
    }

    /// <summary>The queues whose RedrivePolicy sends their dead letters to this one.</summary>
    public ListDeadLetterSourceQueuesResponse ListDeadLetterSourceQueues(ListDeadLetterSourceQueuesRequest request, string origin)
    {
        var deadLetterQueue = queues.Resolve(request.QueueUrl);
        var (urls, nextToken) = UrlPage(
            queues.All.Where(q => q.Settings.RedrivePolicy?.DeadLetterTargetArn == deadLetterQueue.Arn),
            request.MaxResults,
            request.NextToken,
            origin);
        // AWS always answers this one with a (possibly empty) list.
        return new ListDeadLetterSourceQueuesResponse(urls ?? [], nextToken);
    }

    private static (List<string>? QueueUrls, string? NextToken) UrlPage(IEnumerable<SqsQueue> matching, int? maxResults, string? nextToken, string origin)
    {
        var page = QueuePages.Take(matching.Select(q => q.Name).Order(StringComparer.Ordinal), nextToken, maxResults);
        var urls = page.Items.ConvertAll(name => SqsQueueStore.UrlOf(origin, name));
        // NextToken is only used when the caller pages (MaxResults given), as on AWS.
        return (urls.Count > 0 ? urls : null, maxResults is null ? null : page.NextToken);
    }

    private static bool IsKnownOptionalAttribute(string name) =>
        name is "Policy" or "RedrivePolicy" or "RedriveAllowPolicy" or "KmsMasterKeyId" or "KmsDataKeyReusePeriodSeconds"
            or "FifoQueue" or "ContentBasedDeduplication" or "DeduplicationScope" or "FifoThroughputLimit";

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
