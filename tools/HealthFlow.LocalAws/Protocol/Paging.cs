using System.Globalization;

namespace HealthFlow.LocalAws.Protocol;

/// <summary>
/// NextToken paging as the List* operations of SQS and EventBridge answer it: the token is the offset of the
/// page's first item in the ordered list, and a missing page size is the service's maximum. The limit, the error
/// replies and which of the two parameters is checked first are each service's own, as on AWS.
/// </summary>
internal sealed record Paging(
    int MaxPageSize,
    Func<AwsServiceException> InvalidPageSize,
    Func<AwsServiceException> InvalidNextToken,
    bool PageSizeCheckedFirst)
{
    public Page<T> Take<T>(IEnumerable<T> ordered, string? nextToken, int? pageSize)
    {
        int size, start;
        if (PageSizeCheckedFirst)
        {
            size = SizeOf(pageSize);
            start = StartOf(nextToken);
        }
        else
        {
            start = StartOf(nextToken);
            size = SizeOf(pageSize);
        }

        var all = ordered.ToList();
        var items = all.Skip(start).Take(size).ToList();
        int next = start + items.Count;
        return new Page<T>(items, next < all.Count ? next.ToString(CultureInfo.InvariantCulture) : null);
    }

    private int SizeOf(int? requested)
    {
        int size = requested ?? MaxPageSize;
        return size >= 1 && size <= MaxPageSize ? size : throw InvalidPageSize();
    }

    private int StartOf(string? nextToken) =>
        nextToken is not { Length: > 0 } ? 0
        : int.TryParse(nextToken, NumberStyles.None, CultureInfo.InvariantCulture, out int start) ? start
        : throw InvalidNextToken();
}

/// <summary>One page of a List* answer; <see cref="NextToken"/> is null on the last page.</summary>
internal sealed record Page<T>(List<T> Items, string? NextToken);
