using System.Runtime.CompilerServices;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace HealthFlow.Aws.ReadModels;

internal static class DynamoQueries
{
    /// <summary>
    /// Streams the items of a query across pages, starting after <paramref name="startKey"/>. A filter
    /// can leave pages short or empty, so the caller takes what it needs and stops enumerating.
    /// </summary>
    public static async IAsyncEnumerable<Dictionary<string, AttributeValue>> QueryItemsAsync(
        this IAmazonDynamoDB dynamo,
        Func<QueryRequest> createRequest,
        Dictionary<string, AttributeValue>? startKey,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var exclusiveStartKey = startKey;
        do
        {
            var request = createRequest();
            request.ExclusiveStartKey = exclusiveStartKey;
            var response = await dynamo.QueryAsync(request, cancellationToken);
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
    /// whether a next page exists, so the last page never carries a cursor.
    /// </summary>
    public static async Task<Page<T>> QueryPageAsync<T>(
        this IAmazonDynamoDB dynamo,
        Func<QueryRequest> createRequest,
        PageCursor cursor,
        IReadOnlyCollection<string> keyAttributes,
        int limit,
        Func<Dictionary<string, AttributeValue>, T> map,
        CancellationToken cancellationToken)
    {
        var items = new List<Dictionary<string, AttributeValue>>(limit + 1);
        await foreach (var item in dynamo.QueryItemsAsync(createRequest, cursor.StartKey(PageCursor.SingleLane), cancellationToken))
        {
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

        return new Page<T>([.. items.Select(map)], next);
    }
}
