using System.Text.Json;

namespace HealthFlow.LocalAws.EventBridge;

/// <summary>
/// Reads an event pattern's JSON into the alternatives <see cref="EventPattern"/> matches: one list of field
/// conditions per <c>$or</c> branch, each field's values and operators compiled into matchers, with AWS's
/// validation errors.
/// </summary>
internal static class EventPatternParser
{
    private const int MaxAlternatives = 256;
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    public static List<FieldCondition[]> Alternatives(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException)
        {
            throw new InvalidEventPatternException("Filter is not valid JSON");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidEventPatternException("Filter is not an object");
            var alternatives = CompileObject(document.RootElement, string.Empty, [[]]);
            return [.. alternatives.Select(a => a.ToArray())];
        }
    }

    private static List<List<FieldCondition>> CompileObject(JsonElement pattern, string prefix, List<List<FieldCondition>> alternatives)
    {
        foreach (var property in pattern.EnumerateObject())
        {
            var value = property.Value;
            if (property.NameEquals("$or") && IsOrList(value))
            {
                if (value.GetArrayLength() < 2)
                    throw new InvalidEventPatternException("There must have at least 2 Object inside $or field");
                var expanded = new List<List<FieldCondition>>();
                foreach (var branch in value.EnumerateArray())
                    expanded.AddRange(CompileObject(branch, prefix, [.. alternatives.Select(a => new List<FieldCondition>(a))]));
                if (expanded.Count > MaxAlternatives)
                    throw new InvalidEventPatternException("Rule is too complex - try using fewer $or combinations");
                alternatives = expanded;
                continue;
            }

            string path = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    alternatives = CompileObject(value, path, alternatives);
                    break;
                case JsonValueKind.Array:
                    var condition = CompileField(path, value);
                    foreach (var alternative in alternatives)
                        alternative.Add(condition);
                    break;
                default:
                    throw new InvalidEventPatternException($"\"{property.Name}\" must be an object or an array");
            }
        }

        return alternatives;
    }

    private static bool IsOrList(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array
        && value.GetArrayLength() > 0
        && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Object);

    private static FieldCondition CompileField(string path, JsonElement values)
    {
        if (values.GetArrayLength() == 0)
            throw new InvalidEventPatternException("Empty arrays are not allowed");

        var matchers = new List<ValueMatcher>();
        bool matchesAbsent = false;
        foreach (var value in values.EnumerateArray())
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    matchers.Add(new ExactStringMatcher(value.GetString()!));
                    break;
                case JsonValueKind.Number:
                    matchers.Add(new ExactNumberMatcher(value.GetDouble()));
                    break;
                case JsonValueKind.True:
                    matchers.Add(new ExactKindMatcher(EventValueKind.True));
                    break;
                case JsonValueKind.False:
                    matchers.Add(new ExactKindMatcher(EventValueKind.False));
                    break;
                case JsonValueKind.Null:
                    matchers.Add(new ExactKindMatcher(EventValueKind.Null));
                    break;
                case JsonValueKind.Object:
                    if (CompileExpression(value) is { } matcher)
                        matchers.Add(matcher);
                    else
                        matchesAbsent = true;
                    break;
                default:
                    throw new InvalidEventPatternException("Match value must be String, number, true, false, or null");
            }
        }

        return new FieldCondition(path, [.. matchers], matchesAbsent);
    }

    /// <summary>Compiles one <c>{"operator": operand}</c>; null stands for <c>{"exists": false}</c>.</summary>
    private static ValueMatcher? CompileExpression(JsonElement expression)
    {
        var (name, operand) = SingleMember(expression, "Only one key allowed in match expression");
        switch (name)
        {
            case "prefix":
            case "suffix":
                bool isPrefix = name == "prefix";
                if (operand.ValueKind == JsonValueKind.String)
                    return isPrefix ? new PrefixMatcher(operand.GetString()!, false) : new SuffixMatcher(operand.GetString()!, false);
                if (operand.ValueKind == JsonValueKind.Object)
                {
                    var (inner, text) = SingleMember(operand, "Only one key allowed in match expression");
                    if (inner != "equals-ignore-case")
                        throw new InvalidEventPatternException($"Unsupported {name} pattern: {inner}");
                    if (text.ValueKind != JsonValueKind.String)
                        throw new InvalidEventPatternException("equals-ignore-case match pattern must be a string");
                    return isPrefix ? new PrefixMatcher(text.GetString()!, true) : new SuffixMatcher(text.GetString()!, true);
                }

                throw new InvalidEventPatternException($"{name} match pattern must be a string");

            case "equals-ignore-case":
                if (operand.ValueKind != JsonValueKind.String)
                    throw new InvalidEventPatternException("equals-ignore-case match pattern must be a string");
                return new EqualsIgnoreCaseMatcher(operand.GetString()!);

            case "wildcard":
                return new WildcardMatcher(ValidWildcard(operand));

            case "anything-but":
                return new AnythingButMatcher(CompileAnythingBut(operand));

            case "numeric":
                return CompileNumeric(operand);

            case "exists":
                return operand.ValueKind switch
                {
                    JsonValueKind.True => AnyValueMatcher.Instance,
                    JsonValueKind.False => null,
                    _ => throw new InvalidEventPatternException("exists match pattern must be either true or false."),
                };

            case "cidr":
                if (operand.ValueKind != JsonValueKind.String)
                    throw new InvalidEventPatternException("cidr match pattern must be a string");
                if (CidrParser.TryParse(operand.GetString()!, out var network) is { } error)
                    throw new InvalidEventPatternException(error);
                return new CidrMatcher(network!);

            default:
                throw new InvalidEventPatternException($"Unrecognized match type {name}");
        }
    }

    private static ValueMatcher[] CompileAnythingBut(JsonElement operand)
    {
        switch (operand.ValueKind)
        {
            case JsonValueKind.String:
                return [new ExactStringMatcher(operand.GetString()!)];
            case JsonValueKind.Number:
                return [new ExactNumberMatcher(operand.GetDouble())];
            case JsonValueKind.Array:
                if (operand.GetArrayLength() == 0)
                    throw new InvalidEventPatternException("Empty arrays are not allowed");
                return [.. operand.EnumerateArray().Select<JsonElement, ValueMatcher>(e => e.ValueKind switch
                {
                    JsonValueKind.String => new ExactStringMatcher(e.GetString()!),
                    JsonValueKind.Number => new ExactNumberMatcher(e.GetDouble()),
                    _ => throw new InvalidEventPatternException("Inside anything but list, start|null|boolean is not supported."),
                })];
            case JsonValueKind.Object:
                var (name, inner) = SingleMember(operand, "Only one key allowed in match expression");
                return name switch
                {
                    "prefix" => [.. Strings(inner, "prefix", nonEmpty: true).Select(s => new PrefixMatcher(s, false))],
                    "suffix" => [.. Strings(inner, "suffix", nonEmpty: true).Select(s => new SuffixMatcher(s, false))],
                    "equals-ignore-case" => [.. Strings(inner, "equals-ignore-case", nonEmpty: false).Select(s => new EqualsIgnoreCaseMatcher(s))],
                    "wildcard" => inner.ValueKind == JsonValueKind.Array && inner.GetArrayLength() > 0
                        ? [.. inner.EnumerateArray().Select(e => new WildcardMatcher(ValidWildcard(e)))]
                        : [new WildcardMatcher(ValidWildcard(inner))],
                    _ => throw new InvalidEventPatternException($"Unsupported anything-but pattern: {name}"),
                };
            default:
                throw new InvalidEventPatternException("Value of anything-but must be an array or single string/number value.");
        }
    }

    /// <summary>A string or a non-empty array of strings, as anything-but's inner operators take.</summary>
    private static IEnumerable<string> Strings(JsonElement operand, string operatorName, bool nonEmpty)
    {
        List<string> values;
        if (operand.ValueKind == JsonValueKind.String)
            values = [operand.GetString()!];
        else if (operand.ValueKind == JsonValueKind.Array && operand.GetArrayLength() > 0 && operand.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
            values = [.. operand.EnumerateArray().Select(e => e.GetString()!)];
        else if (operatorName == "equals-ignore-case")
            throw new InvalidEventPatternException("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.");
        else
            throw new InvalidEventPatternException($"{operatorName} match pattern must be a string");

        if (nonEmpty && values.Exists(v => v.Length == 0))
            throw new InvalidEventPatternException("Null prefix/suffix not allowed");
        return values;
    }

    private static string ValidWildcard(JsonElement operand)
    {
        if (operand.ValueKind != JsonValueKind.String)
            throw new InvalidEventPatternException("wildcard match pattern must be a string");
        var pattern = operand.GetString()!;
        if (WildcardMatcher.Validate(pattern) is { } error)
            throw new InvalidEventPatternException(error);
        return pattern;
    }

    private static NumericMatcher CompileNumeric(JsonElement operand)
    {
        if (operand.ValueKind != JsonValueKind.Array)
            throw new InvalidEventPatternException("Value of numeric must be an array.");
        var terms = operand.EnumerateArray().ToArray();
        if (terms.Length == 0)
            throw new InvalidEventPatternException("Invalid member in numeric match: ]");

        var (firstOperator, firstValue) = Term(terms, 0);
        if (terms.Length == 2)
        {
            return firstOperator switch
            {
                "=" => new NumericMatcher(firstValue, true, firstValue, true),
                ">" => new NumericMatcher(firstValue, false, null, false),
                ">=" => new NumericMatcher(firstValue, true, null, false),
                "<" => new NumericMatcher(null, false, firstValue, false),
                _ => new NumericMatcher(null, false, firstValue, true),
            };
        }

        if (firstOperator is not (">" or ">="))
            throw new InvalidEventPatternException("Too many elements in numeric expression");
        if (terms[2].ValueKind != JsonValueKind.String || terms[2].GetString() is not ("<" or "<="))
            throw new InvalidEventPatternException($"Bad numeric range operator: {terms[2].GetRawText()}");
        var (secondOperator, secondValue) = Term(terms, 2);
        if (secondValue <= firstValue)
            throw new InvalidEventPatternException("Bottom must be less than top");
        if (terms.Length > 4)
            throw new InvalidEventPatternException("Too many terms in numeric range expression");
        return new NumericMatcher(firstValue, firstOperator == ">=", secondValue, secondOperator == "<=");
    }

    private static (string Operator, double Value) Term(JsonElement[] terms, int index)
    {
        var op = terms[index];
        if (op.ValueKind != JsonValueKind.String)
            throw new InvalidEventPatternException($"Invalid member in numeric match: {op.GetRawText()}");
        var name = op.GetString()!;
        if (name is not ("<" or "<=" or "=" or ">" or ">="))
            throw new InvalidEventPatternException($"Unrecognized numeric range operator: {name}");
        if (index + 1 >= terms.Length || terms[index + 1].ValueKind != JsonValueKind.Number)
            throw new InvalidEventPatternException($"Value of {(name == "=" ? "equals" : name)} must be numeric");
        return (name, terms[index + 1].GetDouble());
    }

    private static (string Name, JsonElement Value) SingleMember(JsonElement expression, string error)
    {
        using var members = expression.EnumerateObject();
        if (!members.MoveNext())
            throw new InvalidEventPatternException(error);
        var first = members.Current;
        if (members.MoveNext())
            throw new InvalidEventPatternException(error);
        return (first.Name, first.Value);
    }
}
