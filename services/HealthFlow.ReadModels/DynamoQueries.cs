using System.Runtime.CompilerServices;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace HealthFlow.ReadModels;

/// <summary>Where a query stopped because it used up its pages, so the reply can carry a cursor from there.</summary>
internal sealed class QueryProgress
{
    public Dictionary<string, AttributeValue>? StoppedAt { get; set; }
}

internal static class DynamoQueries
{
    /// <summary>
    /// The most DynamoDB pages one query reads for one API request. A filter (severity, status) can leave
    /// pages empty; without a cap one request could read a whole partition. A page cut short by the cap
    /// carries a cursor to continue from where the reading stopped.
    /// </summary>
    public const int MaxPagesPerRequest = 8;

    /// <summary>The DynamoDB page size of a query whose results are then limited to a caller's scope.</summary>
    public const int ScopedPageSize = 100;

    /// <summary>
    /// Streams the items of a query across pages, starting after <paramref name="startKey"/>, for at most
    /// <see cref="MaxPagesPerRequest"/> pages (then <paramref name="progress"/> says where it stopped).
    /// A filter can leave pages short or empty, so the caller takes what it needs and stops enumerating.
    /// </summary>
    public static async IAsyncEnumerable<Dictionary<string, AttributeValue>> QueryItemsAsync(
        this IAmazonDynamoDB dynamo,
        Func<QueryRequest> createRequest,
        Dictionary<string, AttributeValue>? startKey,
        QueryProgress progress,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var exclusiveStartKey = startKey;
        var pages = 0;
        do
        {
            if (pages++ == MaxPagesPerRequest)
            {
                progress.StoppedAt = exclusiveStartKey;
                yield break;
            }

            var request = createRequest();
            request.ExclusiveStartKey = exclusiveStartKey;
            QueryResponse response;
            try
            {
                response = await dynamo.QueryAsync(request, cancellationToken);
            }
            catch (AmazonDynamoDBException e) when (startKey is not null && e.ErrorCode == "ValidationException")
            {
                // The cursor passed its checks but DynamoDB refuses it (e.g. a sort key outside the range).
                throw new InvalidCursorException();
            }

            foreach (var item in response.Items ?? [])
            {
                yield return item;
            }

            exclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (exclusiveStartKey is not null);
    }

    /// <summary>
    /// Reads one page of a single-lane query: up to <paramref name="limit"/> items, plus one more to know
    /// whether a next page exists, so the last page never carries a cursor. Items <paramref name="include"/>
    /// rejects are skipped, neither returned nor counted.
    /// </summary>
    public static async Task<Page<T>> QueryPageAsync<T>(
        this IAmazonDynamoDB dynamo,
        Func<QueryRequest> createRequest,
        PageCursor cursor,
        IReadOnlyCollection<string> keyAttributes,
        int limit,
        Func<Dictionary<string, AttributeValue>, T> map,
        CancellationToken cancellationToken,
        Func<Dictionary<string, AttributeValue>, bool>? include = null)
    {
        var items = new List<Dictionary<string, AttributeValue>>(limit + 1);
        var progress = new QueryProgress();
        var startKey = cursor.StartKey(PageCursor.SingleLane);
        var reading = new ScopedPosition(startKey, keyAttributes);
        await foreach (var item in dynamo.QueryItemsAsync(createRequest, startKey, progress, cancellationToken))
        {
            // The caller's scope (a clinician's patients) is applied here, after the read: the page cap bounds what it costs.
            if (include is not null && !include(item))
            {
                reading.Read(item, inScope: false);
                continue;
            }

            reading.Read(item, inScope: true);
            items.Add(item);
            if (items.Count > limit)
            {
                break;
            }
        }

        string? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(limit);
            next = PageCursor.Encode(new Dictionary<string, Dictionary<string, AttributeValue>?>
            {
                [PageCursor.SingleLane] = items[^1].KeyOf(keyAttributes),
            });
        }
        else if (progress.StoppedAt is { } stoppedAt)
        {
            // A short page: the page cap ended the reading before the page filled, not the data.
            next = PageCursor.Encode(new Dictionary<string, Dictionary<string, AttributeValue>?>
            {
                [PageCursor.SingleLane] = reading.StoppedAt(stoppedAt),
            });
        }

        return new Page<T>([.. items.Select(map)], next);
    }
}
