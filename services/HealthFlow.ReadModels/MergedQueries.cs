using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace HealthFlow.ReadModels;

/// <summary>
/// One page from several index queries (lanes) merged into one order, such as two `by-status` partitions listed
/// as one. Each lane is read in its own order, newest first, and its position is kept in the page's cursor.
/// </summary>
internal static class MergedQueries
{
    /// <summary>
    /// A k-way merge of <paramref name="lanes"/>, each queried newest first: up to <paramref name="limit"/> items,
    /// the greatest <paramref name="sortAttribute"/> first. Items <paramref name="include"/> rejects are skipped.
    /// </summary>
    public static async Task<Page<T>> QueryMergedPageAsync<T>(
        this IAmazonDynamoDB dynamo,
        IReadOnlyList<(string Lane, Func<QueryRequest> CreateRequest)> lanes,
        PageCursor cursor,
        IReadOnlyCollection<string> keyAttributes,
        string sortAttribute,
        int limit,
        Func<Dictionary<string, AttributeValue>, T> map,
        Func<Dictionary<string, AttributeValue>, bool>? include,
        CancellationToken cancellationToken)
    {
        var states = new List<MergeLane>(lanes.Count);
        try
        {
            foreach (var (lane, createRequest) in lanes)
            {
                var state = new MergeLane(lane, cursor.StartKey(lane), include, keyAttributes);
                if (!cursor.IsExhausted(lane))
                {
                    state.Items = dynamo.QueryItemsAsync(createRequest, state.StartKey, state.Progress, cancellationToken).GetAsyncEnumerator(cancellationToken);
                    await state.AdvanceAsync();
                }

                states.Add(state);
            }

            var taken = new List<Dictionary<string, AttributeValue>>(limit);
            // A lane cut short by the page cap has no known head, so nothing can be ordered after it: stop there.
            while (taken.Count < limit && states.All(s => s.Progress.StoppedAt is null))
            {
                var next = states
                    .Where(s => s.Head is not null)
                    .MaxBy(s => s.Head!.GetString(sortAttribute), StringComparer.Ordinal);
                if (next is null)
                {
                    break;
                }

                taken.Add(next.Head!);
                next.LastTaken = next.Head;
                await next.AdvanceAsync();
            }

            string? nextCursor = null;
            if (states.Any(s => s.Head is not null || s.Progress.StoppedAt is not null))
            {
                var positions = new Dictionary<string, Dictionary<string, AttributeValue>?>();
                foreach (var state in states)
                {
                    if (state.Progress.StoppedAt is { } stoppedAt)
                    {
                        positions[state.Lane] = state.Reading.StoppedAt(stoppedAt);
                    }
                    else if (state.Head is null)
                    {
                        positions[state.Lane] = null;
                    }
                    else if ((state.LastTaken?.KeyOf(keyAttributes) ?? state.StartKey) is { } position)
                    {
                        positions[state.Lane] = position;
                    }
                }

                nextCursor = PageCursor.Encode(positions);
            }

            return new Page<T>([.. taken.Select(map)], nextCursor);
        }
        finally
        {
            foreach (var state in states)
            {
                if (state.Items is not null)
                {
                    await state.Items.DisposeAsync();
                }
            }
        }
    }

    private sealed class MergeLane(
        string lane,
        Dictionary<string, AttributeValue>? startKey,
        Func<Dictionary<string, AttributeValue>, bool>? include,
        IReadOnlyCollection<string> keyAttributes)
    {
        public string Lane { get; } = lane;

        public Dictionary<string, AttributeValue>? StartKey { get; } = startKey;

        public ScopedPosition Reading { get; } = new(startKey, keyAttributes);

        public IAsyncEnumerator<Dictionary<string, AttributeValue>>? Items { get; set; }

        public Dictionary<string, AttributeValue>? Head { get; private set; }

        public Dictionary<string, AttributeValue>? LastTaken { get; set; }

        public QueryProgress Progress { get; } = new();

        public async Task AdvanceAsync()
        {
            while (true)
            {
                Head = Items is not null && await Items.MoveNextAsync() ? Items.Current : null;
                if (Head is null)
                {
                    return;
                }

                var inScope = include is null || include(Head);
                Reading.Read(Head, inScope);
                if (inScope)
                {
                    return;
                }
            }
        }
    }
}
