using Amazon.DynamoDBv2.Model;

namespace HealthFlow.ReadModels;

/// <summary>
/// Where a capped read of a scoped query goes on from, without naming an item the caller may not see.
/// </summary>
/// <remarks>
/// A clinician's lists read an index that holds every care team's items, newest first, and keep their own (the
/// scope applies after the read). When the page cap ends the reading, DynamoDB's position is the last item read,
/// usually another team's: a patient's id and registration time, an alert's id and raise time. In the cursor, that
/// would hand the caller keys outside their scope. So a read that stopped on an item outside the scope goes on from
/// a position that is no item at all: the shortest prefix of the sort key of the item read just before it that
/// still sorts after it, with an empty item id. The index holds nothing between those two items, so the next page
/// reads on from the very item this one stopped at, and the cursor tells no more than a boundary between two reads
/// at the coarsest time that separates them. It needs no secret, so any instance continues any cursor.
/// <para>Expects the key attributes in the order item key, index partition, index sort key (as every scoped
/// index of the read models has them), sort keys of fixed width in ASCII, where ordinal order is DynamoDB's byte
/// order, and a scoped query to filter nothing in DynamoDB (an item DynamoDB filtered is one it never shows us).</para>
/// </remarks>
internal sealed class ScopedPosition(Dictionary<string, AttributeValue>? startKey, IReadOnlyCollection<string> keyAttributes)
{
    /// <summary>The item id of a position that is between items.</summary>
    public static readonly string NoItem = Guid.Empty.ToString("D");

    // The request's own start (the caller's cursor) counts as read before the first item, and as theirs.
    private Dictionary<string, AttributeValue>? _before = startKey;
    private bool _beforeInScope = true;
    private Dictionary<string, AttributeValue>? _last;
    private bool _lastInScope;

    /// <summary>Every item the query reads, in order, whether the caller may see it or not.</summary>
    public void Read(Dictionary<string, AttributeValue> item, bool inScope)
    {
        if (_last is not null)
        {
            _before = _last;
            _beforeInScope = _lastInScope;
        }

        _last = item;
        _lastInScope = inScope;
    }

    /// <summary>The key to go on after, given DynamoDB's position <paramref name="stoppedAt"/> when the cap ended the read.</summary>
    public Dictionary<string, AttributeValue> StoppedAt(Dictionary<string, AttributeValue> stoppedAt)
    {
        var exact = stoppedAt.KeyOf(keyAttributes);
        var itemKey = keyAttributes.First();
        var sortKey = keyAttributes.Last();
        if (_last is null || _lastInScope || _last[itemKey].S != stoppedAt[itemKey].S)
        {
            // Stopped on an item the caller sees (or, in an unscoped query, one DynamoDB's filter skipped): theirs to know.
            return exact;
        }

        var lower = stoppedAt[sortKey].S;
        var upper = _before?[sortKey].S;
        var separator = upper is null ? "\u007f" : Separator(lower, upper);
        if (separator is not null && separator != upper)
        {
            var between = new Dictionary<string, AttributeValue>(exact)
            {
                [itemKey] = new AttributeValue { S = NoItem },
                [sortKey] = new AttributeValue { S = separator },
            };
            return between;
        }

        // The two items share their sort key but for its last character (two alerts raised in the same 100 ns):
        // go on after the one read before, when it is the caller's; otherwise there is no position between them.
        return _beforeInScope && _before is not null ? _before.KeyOf(keyAttributes) : exact;
    }

    /// <summary>The shortest prefix of <paramref name="upper"/> that sorts after <paramref name="lower"/>, or null if none does.</summary>
    private static string? Separator(string lower, string upper)
    {
        for (var length = 1; length <= upper.Length; length++)
        {
            var prefix = upper[..length];
            if (string.CompareOrdinal(prefix, lower) > 0)
            {
                return prefix;
            }
        }

        return null;
    }
}
