using System.Globalization;
using Amazon.DynamoDBv2.Model;

namespace HealthFlow.ReadModels;

/// <summary>
/// Reading and writing attribute values. SDK v4 leaves absent collections null, so every reader here
/// treats null and missing the same way.
/// </summary>
internal static class DynamoItems
{
    public static AttributeValue S(string value) => new() { S = value };

    public static AttributeValue N(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    public static AttributeValue N(decimal value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    public static AttributeValue Bool(bool value) => new() { BOOL = value };

    public static AttributeValue StringList(IEnumerable<string> values) => new() { L = [.. values.Select(S)] };

    public static void SetIfPresent(this Dictionary<string, AttributeValue> item, string name, string? value)
    {
        if (value is not null)
        {
            item[name] = S(value);
        }
    }

    public static void SetIfPresent(this Dictionary<string, AttributeValue> item, string name, int? value)
    {
        if (value is { } v)
        {
            item[name] = N(v);
        }
    }

    public static void SetIfPresent(this Dictionary<string, AttributeValue> item, string name, decimal? value)
    {
        if (value is { } v)
        {
            item[name] = N(v);
        }
    }

    public static void SetIfPresent(this Dictionary<string, AttributeValue> item, string name, bool? value)
    {
        if (value is { } v)
        {
            item[name] = Bool(v);
        }
    }

    public static string GetString(this Dictionary<string, AttributeValue> item, string name) =>
        item.GetOptionalString(name) ?? throw new InvalidDataException($"Item attribute '{name}' is missing.");

    public static string? GetOptionalString(this Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) ? value.S : null;

    public static Guid GetGuid(this Dictionary<string, AttributeValue> item, string name) => Guid.Parse(item.GetString(name));

    public static long? GetOptionalLong(this Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.N is { } n ? long.Parse(n, CultureInfo.InvariantCulture) : null;

    public static int? GetOptionalInt(this Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.N is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : null;

    public static decimal? GetOptionalDecimal(this Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.N is { } n ? decimal.Parse(n, CultureInfo.InvariantCulture) : null;

    public static bool? GetOptionalBool(this Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) ? value.BOOL : null;

    public static DateTimeOffset GetTime(this Dictionary<string, AttributeValue> item, string name) =>
        SortableTime.Parse(item.GetString(name));

    public static DateTimeOffset? GetOptionalTime(this Dictionary<string, AttributeValue> item, string name) =>
        item.GetOptionalString(name) is { } s ? SortableTime.Parse(s) : null;

    public static IReadOnlyList<string> GetStringList(this Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.L is { } list
            ? [.. list.Select(v => v.S ?? string.Empty)]
            : [];

    /// <summary>The key of an item in a given index: the table's key attributes plus the index's.</summary>
    public static Dictionary<string, AttributeValue> KeyOf(this Dictionary<string, AttributeValue> item, IEnumerable<string> keyAttributes) =>
        keyAttributes.ToDictionary(name => name, name => item[name]);
}

/// <summary>
/// Times as stored in read-model sort keys: UTC, fixed width, 100 ns precision, so that ordinal string
/// order is time order (`2025-05-01T08:30:00.0000000Z`).
/// </summary>
public static class SortableTime
{
    private const string Pattern = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString(Pattern, CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
