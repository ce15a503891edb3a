using System.Net;
using System.Net.Sockets;

namespace HealthFlow.LocalAws.EventBridge;

/// <summary>One leaf value of an event: a string, number, boolean or null, with the array positions it sits at.</summary>
internal readonly record struct EventValue(EventValueKind Kind, string? Text, double Number, ArrayPosition[] Positions)
{
    public bool IsString => Kind == EventValueKind.String;
}

internal enum EventValueKind { String, Number, True, False, Null }

/// <summary>The element <see cref="Index"/> of the event's array number <see cref="ArrayId"/>.</summary>
internal readonly record struct ArrayPosition(int ArrayId, int Index);

/// <summary>A test on one event value. Field presence (exists) is decided by the field condition, not here.</summary>
internal abstract class ValueMatcher
{
    public abstract bool Matches(in EventValue value);
}

internal sealed class ExactStringMatcher(string expected) : ValueMatcher
{
    public override bool Matches(in EventValue value) => value.IsString && string.Equals(value.Text, expected, StringComparison.Ordinal);
}

internal sealed class ExactNumberMatcher(double expected) : ValueMatcher
{
    public override bool Matches(in EventValue value) => value.Kind == EventValueKind.Number && value.Number == expected;
}

internal sealed class ExactKindMatcher(EventValueKind kind) : ValueMatcher
{
    public override bool Matches(in EventValue value) => value.Kind == kind;
}

internal sealed class AnyValueMatcher : ValueMatcher
{
    public static readonly AnyValueMatcher Instance = new();

    public override bool Matches(in EventValue value) => true;
}

internal sealed class PrefixMatcher(string prefix, bool ignoreCase) : ValueMatcher
{
    public override bool Matches(in EventValue value) =>
        value.IsString && value.Text!.StartsWith(prefix, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}

internal sealed class SuffixMatcher(string suffix, bool ignoreCase) : ValueMatcher
{
    public override bool Matches(in EventValue value) =>
        value.IsString && value.Text!.EndsWith(suffix, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}

internal sealed class EqualsIgnoreCaseMatcher(string expected) : ValueMatcher
{
    public override bool Matches(in EventValue value) =>
        value.IsString && string.Equals(value.Text, expected, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Matches when none of the inner matchers does; values of another type (and null) therefore match.</summary>
internal sealed class AnythingButMatcher(ValueMatcher[] excluded) : ValueMatcher
{
    public override bool Matches(in EventValue value)
    {
        foreach (var matcher in excluded)
        {
            if (matcher.Matches(value))
                return false;
        }

        return true;
    }
}

/// <summary>A numeric range; either bound may be open. Only JSON numbers match, never numeric strings.</summary>
internal sealed class NumericMatcher(double? lower, bool lowerInclusive, double? upper, bool upperInclusive) : ValueMatcher
{
    public override bool Matches(in EventValue value)
    {
        if (value.Kind != EventValueKind.Number)
            return false;
        double n = value.Number;
        if (lower is { } low && (lowerInclusive ? n < low : n <= low))
            return false;
        if (upper is { } high && (upperInclusive ? n > high : n >= high))
            return false;
        return true;
    }
}

internal sealed class CidrMatcher(System.Net.IPNetwork2 network) : ValueMatcher
{
    public override bool Matches(in EventValue value) =>
        value.IsString
        && IPAddress.TryParse(value.Text, out var address)
        && address.AddressFamily == network.Network.AddressFamily
        && network.Contains(address);
}

/// <summary>Shell-style wildcard: <c>*</c> matches any run of characters (including none); <c>\*</c> and <c>\\</c> are literals.</summary>
internal sealed class WildcardMatcher : ValueMatcher
{
    // The pattern split at its wildcards: literal segments, each to be found in order.
    private readonly string[] _segments;

    public WildcardMatcher(string pattern) => _segments = Split(pattern);

    public override bool Matches(in EventValue value) => value.IsString && IsMatch(value.Text!);

    private bool IsMatch(string text)
    {
        // segments[0] must be a prefix, the last a suffix, the middle ones found left to right (greedy-safe
        // because '*' matches anything in between).
        if (_segments.Length == 1)
            return string.Equals(text, _segments[0], StringComparison.Ordinal);
        string first = _segments[0];
        string last = _segments[^1];
        if (text.Length < first.Length + last.Length || !text.StartsWith(first, StringComparison.Ordinal) || !text.EndsWith(last, StringComparison.Ordinal))
            return false;
        int position = first.Length;
        int end = text.Length - last.Length;
        for (int i = 1; i < _segments.Length - 1; i++)
        {
            int found = text.IndexOf(_segments[i], position, end - position, StringComparison.Ordinal);
            if (found < 0)
                return false;
            position = found + _segments[i].Length;
        }

        return true;
    }

    private static string[] Split(string pattern)
    {
        var segments = new List<string>();
        var current = new System.Text.StringBuilder();
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                current.Append(pattern[++i]);
            }
            else if (c == '*')
            {
                segments.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        segments.Add(current.ToString());
        return [.. segments];
    }

    /// <summary>Returns an error reason, or null when <paramref name="pattern"/> is an acceptable wildcard.</summary>
    public static string? Validate(string pattern)
    {
        int wildcards = 0;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\')
            {
                if (i + 1 >= pattern.Length || pattern[i + 1] is not ('*' or '\\'))
                    return $"Invalid escape character at pos {i + 1}";
                i++;
            }
            else if (c == '*')
            {
                if (i + 1 < pattern.Length && pattern[i + 1] == '*')
                    return $"Consecutive wildcard characters at pos {i + 1}";
                wildcards++;
            }
        }

        // AWS bounds a rule's wildcard complexity; more than five wildcards in one value is rejected there.
        return wildcards > 5
            ? "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"
            : null;
    }
}

internal static class CidrParser
{
    /// <summary>Parses "address/bits" strictly (dotted quads for IPv4); returns an error reason on failure.</summary>
    public static string? TryParse(string text, out System.Net.IPNetwork2? network)
    {
        network = null;
        int slash = text.IndexOf('/');
        if (slash < 0 || slash != text.LastIndexOf('/'))
            return "Malformed CIDR, one '/' required";
        var addressText = text[..slash];
        if (!byte.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bits))
            return "Malformed CIDR, mask bits must be an integer";
        bool looksLikeV4 = addressText.Count(c => c == '.') == 3 && !addressText.Contains(':');
        if (!(looksLikeV4 || addressText.Contains(':')) || !IPAddress.TryParse(addressText, out var address))
            return $"Nonstandard IP address: {addressText}";
        int maxBits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (bits > maxBits || !System.Net.IPNetwork2.TryParse(addressText, bits, out var parsed))
            return $"Malformed CIDR, mask bits must be between 0 and {maxBits}";
        network = parsed;
        return null;
    }
}
