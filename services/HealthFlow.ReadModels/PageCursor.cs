using System.Buffers.Text;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;

namespace HealthFlow.ReadModels;

/// <summary>
/// The opaque `cursor` of paged queries: base64url of a JSON object with one entry per lane (an index
/// query whose results are merged), each the DynamoDB key to continue after, or null once that lane is
/// exhausted. A lane that is absent starts from the beginning. Single-index pages use the lane `_`.
/// </summary>
public sealed class PageCursor
{
    public const string SingleLane = "_";
    private const int MaxEncodedLength = 4096;

    private readonly Dictionary<string, Dictionary<string, string>?> _lanes;

    private PageCursor(Dictionary<string, Dictionary<string, string>?> lanes) => _lanes = lanes;

    public static PageCursor Start { get; } = new([]);

    /// <summary>Pins the single lane's partition attribute to the value the query reads.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Pin(string attribute, string value) =>
        new Dictionary<string, IReadOnlyDictionary<string, string>> { [SingleLane] = new Dictionary<string, string> { [attribute] = value } };

    public bool IsExhausted(string lane) => _lanes.TryGetValue(lane, out var key) && key is null;

    /// <summary>The key to continue after in a lane, or null to start from the beginning.</summary>
    public Dictionary<string, AttributeValue>? StartKey(string lane) =>
        _lanes.TryGetValue(lane, out var key) && key is not null
            ? key.ToDictionary(k => k.Key, k => new AttributeValue { S = k.Value })
            : null;

    public static string Encode(IReadOnlyDictionary<string, Dictionary<string, AttributeValue>?> lanes)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(lanes.ToDictionary(
            lane => lane.Key,
            lane => lane.Value?.ToDictionary(k => k.Key, k => k.Value.S ?? throw new InvalidOperationException($"Key attribute {k.Key} is not a string."))));
        return Base64Url.EncodeToString(json);
    }

    /// <summary>
    /// Decodes and checks a cursor against the lanes and key attributes the query expects, and the
    /// partition each lane reads (<paramref name="pinned"/>: lane → attribute → the only value it may
    /// hold), so a tampered or foreign cursor is a 400 rather than a DynamoDB error or another
    /// partition's position. A position altered within the right partition is just another position
    /// of the same query; DynamoDB's own check of the sort-key range is the last guard (DynamoQueries).
    /// </summary>
    /// <exception cref="InvalidCursorException"/>
    public static PageCursor Decode(
        string? cursor,
        IReadOnlyDictionary<string, IReadOnlyCollection<string>> expectedLanes,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? pinned = null)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return Start;
        }

        if (cursor.Length > MaxEncodedLength)
        {
            throw new InvalidCursorException();
        }

        Dictionary<string, Dictionary<string, string>?>? lanes;
        try
        {
            lanes = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>?>>(Base64Url.DecodeFromChars(cursor));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw new InvalidCursorException();
        }

        if (lanes is null || lanes.Count == 0)
        {
            throw new InvalidCursorException();
        }

        foreach (var (lane, key) in lanes)
        {
            if (!expectedLanes.TryGetValue(lane, out var attributes))
            {
                throw new InvalidCursorException();
            }

            if (key is not null
                && (key.Count != attributes.Count
                    || !attributes.All(key.ContainsKey)
                    || key.Values.Any(v => string.IsNullOrEmpty(v) || v.Length > 1024)))
            {
                throw new InvalidCursorException();
            }

            if (key is not null && pinned?.GetValueOrDefault(lane) is { } partition
                && partition.Any(p => !key.TryGetValue(p.Key, out var value) || value != p.Value))
            {
                throw new InvalidCursorException();
            }
        }

        return new PageCursor(lanes);
    }
}

public sealed class InvalidCursorException() : Exception("The cursor is not one this query returned.");

/// <summary>One page of a query, newest first unless the query says otherwise. `nextCursor` is null on the last page.</summary>
public sealed record Page<T>(
    IReadOnlyList<T> Items,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? NextCursor)
    : IPage<T>;
