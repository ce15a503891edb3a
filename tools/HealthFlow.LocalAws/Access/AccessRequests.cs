using System.Text.Json;
using HealthFlow.Topology;

namespace HealthFlow.LocalAws.Access;

/// <summary>
/// What a request asks of IAM: its action, the resources it touches, and for DynamoDB the condition keys
/// dynamodb:LeadingKeys (partition-key values; null when they cannot be determined, so a LeadingKeys condition
/// refuses the request), dynamodb:Attributes (top-level attribute names), dynamodb:ReturnValues and dynamodb:Select.
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
        if (body.ValueKind != JsonValueKind.Object)
            return [new AccessRequest(action, new AccessResource(AccessResourceKind.Table, "*"), null, [])];
        if (operation is "BatchGetItem" or "BatchWriteItem")
        {
            if (!body.TryGetProperty("RequestItems", out var tables) || tables.ValueKind != JsonValueKind.Object)
                return [AccessRequest.Of(action, new AccessResource(AccessResourceKind.Table, "*"))];
            return [.. tables.EnumerateObject().Select(table =>
            {
                var items = operation == "BatchGetItem" ? BatchGetKeys(table.Value) : BatchWriteItems(table.Value);
                var partitionKey = PartitionKeyOf(table.Name, index: null);
                // One entry whose partition key cannot be read makes the whole batch's leading keys unknown.
                var keys = items?.Select(item => KeyValue(item, partitionKey)).ToList();
                return new AccessRequest(action, new AccessResource(AccessResourceKind.Table, table.Name),
                    keys is null || keys.Contains(null) ? null : [.. keys.OfType<string>()],
                    [.. (items ?? []).SelectMany(item => item.EnumerateObject().Select(p => p.Name)).Distinct()],
                    Text(body, "ReturnValues"));
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
        var partitionKey = PartitionKeyOf(tableName, index);

        var attributes = new HashSet<string>(StringComparer.Ordinal);
        if (body.TryGetProperty("Item", out var item) && item.ValueKind == JsonValueKind.Object)
            attributes.UnionWith(item.EnumerateObject().Select(p => p.Name));

        if (body.TryGetProperty("Key", out var key) && key.ValueKind == JsonValueKind.Object)
            attributes.UnionWith(key.EnumerateObject().Select(p => p.Name));

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

        if (body.TryGetProperty("AttributesToGet", out var toGet) && toGet.ValueKind == JsonValueKind.Array)
            attributes.UnionWith(toGet.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!));

        IReadOnlyList<string>? leadingKeys = operation switch
        {
            "GetItem" or "UpdateItem" or "DeleteItem" => KeyValue(key, partitionKey) is { } value ? [value] : null,
            "PutItem" => KeyValue(item, partitionKey) is { } value ? [value] : null,
            "Query" => KeyConditions.PartitionValue(body, names, partitionKey) is { } value ? [value] : null,
            // A Scan reads every partition: no leading key.
            _ => null,
        };

        return [new AccessRequest(action, resource, leadingKeys, [.. attributes], Text(body, "ReturnValues"), Text(body, "Select"))];
    }

    private static JsonElement[]? BatchGetKeys(JsonElement table) =>
        table.ValueKind == JsonValueKind.Object && table.TryGetProperty("Keys", out var keys) && keys.ValueKind == JsonValueKind.Array
            ? [.. keys.EnumerateArray()]
            : null;

    /// <summary>The item of each PutRequest and the key of each DeleteRequest; null when an entry is neither.</summary>
    private static JsonElement[]? BatchWriteItems(JsonElement table)
    {
        if (table.ValueKind != JsonValueKind.Array)
            return null;
        var items = new List<JsonElement>();
        foreach (var write in table.EnumerateArray())
        {
            if (write.ValueKind == JsonValueKind.Object && write.TryGetProperty("PutRequest", out var put) && put.ValueKind == JsonValueKind.Object
                && put.TryGetProperty("Item", out var putItem) && putItem.ValueKind == JsonValueKind.Object)
            {
                items.Add(putItem);
            }
            else if (write.ValueKind == JsonValueKind.Object && write.TryGetProperty("DeleteRequest", out var delete) && delete.ValueKind == JsonValueKind.Object
                && delete.TryGetProperty("Key", out var deleteKey) && deleteKey.ValueKind == JsonValueKind.Object)
            {
                items.Add(deleteKey);
            }
            else
            {
                return null;
            }
        }

        return [.. items];
    }

    /// <summary>The partition-key attribute of a table, or of one of its indexes (a Query on an index leads with the index's key).</summary>
    private static string? PartitionKeyOf(string tableName, string? index)
    {
        var table = HealthFlowTopology.Tables.All.FirstOrDefault(t => t.Name == tableName);
        return index is null ? table?.PartitionKey.Name : table?.Indexes.FirstOrDefault(i => i.Name == index)?.PartitionKey.Name;
    }

    private static string? KeyValue(JsonElement item, string? partitionKey) =>
        partitionKey is not null && item.ValueKind == JsonValueKind.Object && item.TryGetProperty(partitionKey, out var value) ? Scalar(value) : null;

    /// <summary>An AttributeValue's S, N or B as text.</summary>
    internal static string? Scalar(JsonElement value) =>
        value.ValueKind != JsonValueKind.Object ? null
        : value.TryGetProperty("S", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()
        : value.TryGetProperty("N", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()
        : value.TryGetProperty("B", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString()
        : null;

    private static string? Text(JsonElement body, string property) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
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
