namespace HealthFlow.LocalAws.EventBridge;

/// <summary>The pattern is invalid; the message is AWS's ("Event pattern is not valid. Reason: ...").</summary>
internal sealed class InvalidEventPatternException(string reason) : Exception("Event pattern is not valid. Reason: " + reason);

/// <summary>All values of one field (dotted path) must include one accepted by any matcher, or the field may be absent.</summary>
internal sealed record FieldCondition(string Path, ValueMatcher[] Matchers, bool MatchesAbsent);

/// <summary>
/// A compiled EventBridge event pattern: the one matcher behind both rule routing and TestEventPattern.
/// Like AWS's event-ruler, patterns and events are flattened to dotted paths (so <c>"a.b"</c> and
/// <c>{"a":{"b":..}}</c> are the same field), <c>$or</c> expands into alternatives, and fields
/// matched inside arrays of objects must come from the same array element ("array consistency").
/// </summary>
internal sealed class EventPattern
{
    private readonly List<FieldCondition[]> _alternatives;

    private EventPattern(List<FieldCondition[]> alternatives) => _alternatives = alternatives;

    /// <summary>Compiles the pattern; an invalid one throws <see cref="InvalidEventPatternException"/> with AWS's reason.</summary>
    public static EventPattern Parse(string json) => new(EventPatternParser.Alternatives(json));

    public bool Matches(FlatEvent flatEvent)
    {
        foreach (var conditions in _alternatives)
        {
            if (MatchesAll(conditions, flatEvent))
                return true;
        }

        return false;
    }

    private static bool MatchesAll(FieldCondition[] conditions, FlatEvent flatEvent)
    {
        List<EventValue[]>? constrained = null;
        bool anyPositioned = false;
        foreach (var condition in conditions)
        {
            var values = flatEvent.Get(condition.Path);
            if (values.Count == 0)
            {
                if (condition.MatchesAbsent)
                    continue;
                return false;
            }

            var candidates = new List<EventValue>(values.Count);
            foreach (var value in values)
            {
                foreach (var matcher in condition.Matchers)
                {
                    if (matcher.Matches(value))
                    {
                        candidates.Add(value);
                        anyPositioned |= value.Positions.Length > 0;
                        break;
                    }
                }
            }

            if (candidates.Count == 0)
                return false;
            (constrained ??= []).Add([.. candidates]);
        }

        // Only values inside arrays can conflict; without any, each field matched on its own.
        return !anyPositioned || constrained is null || Consistent(constrained, 0, new EventValue[constrained.Count]);
    }

    private static bool Consistent(List<EventValue[]> candidates, int field, EventValue[] chosen)
    {
        if (field == candidates.Count)
            return true;
        foreach (var candidate in candidates[field])
        {
            bool fits = true;
            for (int i = 0; i < field && fits; i++)
                fits = SameElements(chosen[i], candidate);
            if (!fits)
                continue;
            chosen[field] = candidate;
            if (Consistent(candidates, field + 1, chosen))
                return true;
        }

        return false;
    }

    private static bool SameElements(in EventValue a, in EventValue b)
    {
        foreach (var pa in a.Positions)
        {
            foreach (var pb in b.Positions)
            {
                if (pa.ArrayId == pb.ArrayId && pa.Index != pb.Index)
                    return false;
            }
        }

        return true;
    }
}
