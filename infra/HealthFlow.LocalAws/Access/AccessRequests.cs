using System.Text.Json;
using HealthFlow.Aws.Topology;

namespace HealthFlow.LocalAws.Access;

/// <summary>
/// What a request asks of IAM: its action, the resources it touches, and for DynamoDB the condition keys
/// dynamodb:LeadingKeys (partition-key values) and dynamodb:Attributes (top-level attribute names).
/// </summary>
internal static class AccessRequests
{
    /// <summary>An AWS JSON-protocol request (DynamoDB, SQS or EventBridge) by its X-Amz-Target.</summary>
    public static IReadOnlyList<AccessRequest> FromJson(string service, string operation, JsonElement body) => service switch
    {
        "dynamodb" => DynamoDb(operation, body),
        "sqs" => [Sqs(operation, Text(body, "QueueUrl"), Text(body, "QueueName"))],
        _ => EventBridge(operation, body),
    };

    /// <summary>An SQS query-protocol request (Action=… form fields).</summary>
    public static AccessRequest FromSqsQuery(string action, IReadOnlyDictionary<string, string> parameters, string? path) =>
        Sqs(action, parameters.GetValueOrDefault("QueueUrl") ?? (path is { Length: > 1 } ? path : null), parameters.GetValueOrDefault("QueueName"));

    private static AccessRequest Sqs(string operation, string? queueUrl, string? queueName)
    {
        // IAM has no separate batch actions: a batch needs the single-message action.
        var action = "sqs:" + (operation.EndsWith("Batch", StringComparison.Ordinal) ? operation[..^"Batch".Length] : operation);
        var name = queueUrl is { Length: > 0 } ? queueUrl.TrimEnd('/')[(queueUrl.TrimEnd('/').LastIndexOf('/') + 1)..] : queueName ?? "*";
        return AccessRequest.Of(action, AccessResource.Queue(name));
    }

    private static IReadOnlyList<AccessRequest> EventBridge(string operation, JsonElement body)
    {
        var action = "events:" + operation;
        if (operation == "PutEvents" && body.TryGetProperty("Entries", out var entries) && entries.ValueKind == JsonValueKind.Array)
        {
            return [.. entries.EnumerateArray().Select(e => BusName(Text(e, "EventBusName"))).Distinct()
                .Select(bus => AccessRequest.Of(action, AccessResource.Bus(bus)))];
        }

        return [AccessRequest.Of(action, AccessResource.Bus(BusName(Text(body, "EventBusName") ?? Text(body, "Name"))))];
    }

    private static string BusName(string? nameOrArn) =>
        nameOrArn is not { Length: > 0 } ? "default"
        : nameOrArn.Contains("event-bus/", StringComparison.Ordinal) ? nameOrArn[(nameOrArn.IndexOf("event-bus/", StringComparison.Ordinal) + "event-bus/".Length)..]
        : nameOrArn;

    private static IReadOnlyList<AccessRequest> DynamoDb(string operation, JsonElement body)
    {
        var action = "dynamodb:" + operation;
        if (operation is "BatchGetItem" or "BatchWriteItem")
        {
            if (!body.TryGetProperty("RequestItems", out var tables) || tables.ValueKind != JsonValueKind.Object)
                return [AccessRequest.Of(action, new AccessResource(AccessResourceKind.Table, "*"))];
            return [.. tables.EnumerateObject().Select(table =>
            {
                var items = operation == "BatchGetItem"
                    ? (table.Value.TryGetProperty("Keys", out var keys) ? keys.EnumerateArray().ToArray() : [])
                    : [.. table.Value.EnumerateArray().Select(w =>
                        w.TryGetProperty("PutRequest", out var put) ? put.GetProperty("Item") : w.GetProperty("DeleteRequest").GetProperty("Key"))];
                var partitionKey = PartitionKeyOf(table.Name);
                return new AccessRequest(action, new AccessResource(AccessResourceKind.Table, table.Name),
                    [.. items.Select(item => KeyValue(item, partitionKey)).OfType<string>()],
                    [.. items.SelectMany(item => item.EnumerateObject().Select(p => p.Name)).Distinct()]);
            })];
        }

        var tableName = Text(body, "TableName") ?? "*";
        var index = Text(body, "IndexName");
        var resource = index is null
            ? new AccessResource(AccessResourceKind.Table, tableName)
            : new AccessResource(AccessResourceKind.Index, tableName, index);
        var names = body.TryGetProperty("ExpressionAttributeNames", out var n) && n.ValueKind == JsonValueKind.Object
            ? n.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "")
            : [];
        var tablePartitionKey = PartitionKeyOf(tableName);

        var leadingKeys = new List<string>();
        var attributes = new HashSet<string>(StringComparer.Ordinal);
        if (body.TryGetProperty("Item", out var item) && item.ValueKind == JsonValueKind.Object)
        {
            AddIfNotNull(leadingKeys, KeyValue(item, tablePartitionKey));
            attributes.UnionWith(item.EnumerateObject().Select(p => p.Name));
        }

        if (body.TryGetProperty("Key", out var key) && key.ValueKind == JsonValueKind.Object)
        {
            AddIfNotNull(leadingKeys, KeyValue(key, tablePartitionKey));
            attributes.UnionWith(key.EnumerateObject().Select(p => p.Name));
        }

        foreach (var expression in new[] { "UpdateExpression", "ConditionExpression", "ProjectionExpression", "FilterExpression" })
        {
            if (Text(body, expression) is { } text)
                attributes.UnionWith(ExpressionAttributes.TopLevelNames(text, names));
        }

        foreach (var legacy in new[] { "AttributeUpdates", "Expected" })
        {
            if (body.TryGetProperty(legacy, out var map) && map.ValueKind == JsonValueKind.Object)
                attributes.UnionWith(map.EnumerateObject().Select(p => p.Name));
        }

        if (operation == "Query" && index is null)
        {
            AddIfNotNull(leadingKeys, QueriedPartition(body, names, tablePartitionKey));
        }

        return [new AccessRequest(action, resource, leadingKeys, [.. attributes])];
    }

    /// <summary>The partition-key value of a Query: `#p = :v` (or `p = :v`) in the key condition, or legacy KeyConditions.</summary>
    private static string? QueriedPartition(JsonElement body, Dictionary<string, string> names, string? partitionKey)
    {
        if (partitionKey is null)
            return null;
        if (Text(body, "KeyConditionExpression") is { } condition && body.TryGetProperty("ExpressionAttributeValues", out var values))
        {
            foreach (System.Text.RegularExpressions.Match match in System.Text.RegularExpressions.Regex.Matches(condition, @"(#?[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(:[A-Za-z0-9_]+)"))
            {
                var name = match.Groups[1].Value;
                if ((names.GetValueOrDefault(name) ?? name) == partitionKey && values.TryGetProperty(match.Groups[2].Value, out var value))
                    return Scalar(value);
            }
        }

        if (body.TryGetProperty("KeyConditions", out var legacy) && legacy.TryGetProperty(partitionKey, out var keyCondition)
            && keyCondition.TryGetProperty("AttributeValueList", out var list) && list.GetArrayLength() > 0)
        {
            return Scalar(list[0]);
        }

        return null;
    }

    private static string? PartitionKeyOf(string tableName) =>
        HealthFlowTopology.Tables.All.FirstOrDefault(t => t.Name == tableName)?.PartitionKey.Name;

    private static string? KeyValue(JsonElement item, string? partitionKey) =>
        partitionKey is not null && item.TryGetProperty(partitionKey, out var value) ? Scalar(value) : null;

    /// <summary>An AttributeValue's S, N or B as text.</summary>
    private static string? Scalar(JsonElement value) =>
        value.ValueKind != JsonValueKind.Object ? null
        : value.TryGetProperty("S", out var s) ? s.GetString()
        : value.TryGetProperty("N", out var n) ? n.GetString()
        : value.TryGetProperty("B", out var b) ? b.GetString()
        : null;

    private static string? Text(JsonElement body, string property) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void AddIfNotNull(List<string> list, string? value)
    {
        if (value is not null)
            list.Add(value);
    }
}

/// <summary>The top-level attribute names a DynamoDB expression refers to (what dynamodb:Attributes lists).</summary>
internal static class ExpressionAttributes
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "SET", "REMOVE", "ADD", "DELETE", "AND", "OR", "NOT", "BETWEEN", "IN",
    };

    public static IEnumerable<string> TopLevelNames(string expression, IReadOnlyDictionary<string, string> names)
    {
        int i = 0;
        while (i < expression.Length)
        {
            char c = expression[i];
            if (c == ':')
            {
                i = SkipName(expression, i + 1);
                continue;
            }

            if (c == '#' || char.IsLetter(c) || c == '_')
            {
                int start = i;
                i = SkipName(expression, c == '#' ? i + 1 : i);
                var token = expression[start..i];
                var before = PreviousNonSpace(expression, start);
                var after = NextNonSpace(expression, i);
                // `a.b` and `a[0]` name a only; `size(` is a function; SET/AND/... are keywords.
                if (before == '.' || after == '(' || (token[0] != '#' && Keywords.Contains(token)))
                    continue;
                yield return token[0] == '#' ? names.GetValueOrDefault(token) ?? token : token;
                continue;
            }

            i++;
        }
    }

    private static int SkipName(string text, int i)
    {
        while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
            i++;
        return i;
    }

    private static char PreviousNonSpace(string text, int i)
    {
        while (--i >= 0)
        {
            if (!char.IsWhiteSpace(text[i]))
                return text[i];
        }

        return '\0';
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
