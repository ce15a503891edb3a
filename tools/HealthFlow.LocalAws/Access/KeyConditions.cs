using System.Text.Json;

namespace HealthFlow.LocalAws.Access;

/// <summary>
/// The partition-key value a Query asks for: what IAM calls its dynamodb:LeadingKeys. Reads
/// KeyConditionExpression in every form DynamoDB accepts (either operand order, `#name` placeholders,
/// parentheses, `AND` with a sort-key condition such as `begins_with` or `BETWEEN`) and legacy KeyConditions.
/// Anything it cannot read with certainty gives null, which no LeadingKeys condition allows: a request
/// this parser misunderstands is refused, never let through.
/// </summary>
internal static class KeyConditions
{
    public static string? PartitionValue(JsonElement body, IReadOnlyDictionary<string, string> names, string? partitionKey)
    {
        if (partitionKey is null || body.ValueKind != JsonValueKind.Object)
            return null;
        var hasExpression = body.TryGetProperty("KeyConditionExpression", out var expression);
        var hasLegacy = body.TryGetProperty("KeyConditions", out var legacy);
        // DynamoDB refuses a request with both; so does this, rather than guess which one counts.
        if (hasExpression == hasLegacy)
            return null;
        if (hasLegacy)
            return Legacy(legacy, partitionKey);
        if (expression.ValueKind != JsonValueKind.String || !body.TryGetProperty("ExpressionAttributeValues", out var values)
            || values.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return FromExpression(expression.GetString()!, names, values, partitionKey);
    }

    /// <summary>`{ "streamId": { "ComparisonOperator": "EQ", "AttributeValueList": [ { "S": "…" } ] } }`.</summary>
    private static string? Legacy(JsonElement conditions, string partitionKey)
    {
        if (conditions.ValueKind != JsonValueKind.Object || !conditions.TryGetProperty(partitionKey, out var condition)
            || condition.ValueKind != JsonValueKind.Object
            || !condition.TryGetProperty("ComparisonOperator", out var op) || op.ValueKind != JsonValueKind.String || op.GetString() != "EQ"
            || !condition.TryGetProperty("AttributeValueList", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() != 1)
        {
            return null;
        }

        return AccessRequests.Scalar(list[0]);
    }

    private static string? FromExpression(string expression, IReadOnlyDictionary<string, string> names, JsonElement values, string partitionKey)
    {
        if (Tokenize(expression, names) is not { } tokens)
            return null;
        // A key condition holds no OR, NOT or IN; an expression that does is not one this reads with certainty.
        if (tokens.Any(t => t.Kind == TokenKind.Word && t.Text.ToUpperInvariant() is "OR" or "NOT" or "IN"))
            return null;

        // Parentheses only group here (a function's own are kept: its name is a Word before them).
        var operands = tokens.Where(t => t.Kind is not (TokenKind.Open or TokenKind.Close)).ToList();
        string? found = null;
        var equalities = 0;
        for (var i = 0; i < operands.Count; i++)
        {
            if (operands[i].Kind != TokenKind.Compare || operands[i].Text != "=" || i == 0 || i == operands.Count - 1)
                continue;
            var (left, right) = (operands[i - 1], operands[i + 1]);
            var value = left.IsAttribute(partitionKey) && right.Kind == TokenKind.Value ? right.Text
                : right.IsAttribute(partitionKey) && left.Kind == TokenKind.Value ? left.Text
                : null;
            if (value is null)
                continue;
            if (!values.TryGetProperty(value, out var attributeValue) || AccessRequests.Scalar(attributeValue) is not { } scalar)
                return null;
            if (found is not null && found != scalar)
                return null;
            found = scalar;
            equalities++;
        }

        // The partition key named anywhere else (begins_with(pk, …), pk < :v, pk = pk) is a condition this does not read.
        return equalities > 0 && tokens.Count(t => t.IsAttribute(partitionKey)) == equalities ? found : null;
    }

    private enum TokenKind { Attribute, Value, Compare, Open, Close, Comma, Word }

    private readonly record struct Token(TokenKind Kind, string Text)
    {
        public bool IsAttribute(string name) => Kind == TokenKind.Attribute && Text == name;
    }

    /// <summary>Attribute names come out resolved (`#k` → its name); null for anything unexpected, an unknown `#k` included.</summary>
    private static List<Token>? Tokenize(string expression, IReadOnlyDictionary<string, string> names)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < expression.Length)
        {
            var c = expression[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')' or ',')
            {
                tokens.Add(new Token(c == '(' ? TokenKind.Open : c == ')' ? TokenKind.Close : TokenKind.Comma, c.ToString()));
                i++;
            }
            else if (c is '=' or '<' or '>')
            {
                var length = i + 1 < expression.Length && expression[i + 1] is '=' or '>' && c != '=' ? 2 : 1;
                tokens.Add(new Token(TokenKind.Compare, expression.Substring(i, length)));
                i += length;
            }
            else if (c is ':' or '#')
            {
                var end = NameEnd(expression, i + 1);
                if (end == i + 1)
                    return null;
                var token = expression[i..end];
                if (c == ':')
                {
                    tokens.Add(new Token(TokenKind.Value, token));
                }
                else if (names.TryGetValue(token, out var name))
                {
                    tokens.Add(new Token(TokenKind.Attribute, name));
                }
                else
                {
                    return null;
                }

                i = end;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var end = NameEnd(expression, i);
                var word = expression[i..end];
                var next = NextNonSpace(expression, end);
                // Keywords and function names are words; any other bare name is an attribute.
                var isWord = next == '(' || word.ToUpperInvariant() is "AND" or "OR" or "NOT" or "BETWEEN" or "IN";
                tokens.Add(new Token(isWord ? TokenKind.Word : TokenKind.Attribute, word));
                i = end;
            }
            else
            {
                return null;
            }
        }

        return tokens;
    }

    private static int NameEnd(string text, int i)
    {
        while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
            i++;
        return i;
    }

    private static char NextNonSpace(string text, int i)
    {
        for (; i < text.Length; i++)
        {
            if (!char.IsWhiteSpace(text[i]))
                return text[i];
        }

        return '\0';
    }
}
