using System.Text.Json;
using HealthFlow.LocalAws.Protocol;

namespace HealthFlow.LocalAws.DynamoDb;

/// <summary>
/// Checks, before the access check reads a service's DynamoDB request, that the parts it reads have DynamoDB's types,
/// and answers as DynamoDB does when they do not: a wrong JSON type is a SerializationException, a write request with
/// neither (or both) of PutRequest and DeleteRequest, or a missing Item or Key, a ValidationException. dynalite
/// validates everything else once the request is let through.
/// </summary>
internal static class DynamoDbRequestShape
{
    /// <summary>Null when the request can be read; otherwise DynamoDB's error.</summary>
    public static AwsServiceException? Check(string operation, JsonElement body)
    {
        try
        {
            switch (operation)
            {
                case "BatchWriteItem":
                    CheckBatchWrite(body);
                    break;
                case "BatchGetItem":
                    CheckBatchGet(body);
                    break;
                default:
                    CheckSingle(body);
                    break;
            }

            return null;
        }
        catch (ShapeException error)
        {
            return error.Answer;
        }
    }

    private static void CheckBatchWrite(JsonElement body)
    {
        if (!body.TryGetProperty("RequestItems", out var tables) || tables.ValueKind == JsonValueKind.Null)
            return;
        Expect(tables, JsonValueKind.Object, "RequestItems");
        foreach (var table in tables.EnumerateObject())
        {
            Expect(table.Value, JsonValueKind.Array, $"RequestItems.{table.Name}");
            int n = 0;
            foreach (var write in table.Value.EnumerateArray())
            {
                var path = $"requestItems.{table.Name}.member.{++n}.member";
                Expect(write, JsonValueKind.Object, path);
                bool put = write.TryGetProperty("PutRequest", out var putRequest) && putRequest.ValueKind != JsonValueKind.Null;
                bool delete = write.TryGetProperty("DeleteRequest", out var deleteRequest) && deleteRequest.ValueKind != JsonValueKind.Null;
                if (put == delete)
                {
                    // DynamoDB's (and dynalite's) words for a write request that is neither or both.
                    throw Validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
                }

                var (request, member, field) = put ? (putRequest, "putRequest", "Item") : (deleteRequest, "deleteRequest", "Key");
                Expect(request, JsonValueKind.Object, $"{path}.{member}");
                if (!request.TryGetProperty(field, out var map) || map.ValueKind == JsonValueKind.Null)
                {
                    throw Validation($"1 validation error detected: Value null at '{path}.{member}.{char.ToLowerInvariant(field[0])}{field[1..]}' "
                        + "failed to satisfy constraint: Member must not be null");
                }

                CheckAttributeMap(map, field);
            }
        }
    }

    private static void CheckBatchGet(JsonElement body)
    {
        if (!body.TryGetProperty("RequestItems", out var tables) || tables.ValueKind == JsonValueKind.Null)
            return;
        Expect(tables, JsonValueKind.Object, "RequestItems");
        foreach (var table in tables.EnumerateObject())
        {
            Expect(table.Value, JsonValueKind.Object, $"RequestItems.{table.Name}");
            if (table.Value.TryGetProperty("Keys", out var keys) && keys.ValueKind != JsonValueKind.Null)
            {
                Expect(keys, JsonValueKind.Array, "Keys");
                foreach (var key in keys.EnumerateArray())
                    CheckAttributeMap(key, "Keys");
            }

            CheckNames(table.Value);
        }
    }

    private static void CheckSingle(JsonElement body)
    {
        foreach (var map in (string[])["Item", "Key", "ExpressionAttributeValues"])
        {
            if (body.TryGetProperty(map, out var value) && value.ValueKind != JsonValueKind.Null)
                CheckAttributeMap(value, map);
        }

        foreach (var map in (string[])["AttributeUpdates", "Expected"])
        {
            if (body.TryGetProperty(map, out var value) && value.ValueKind != JsonValueKind.Null)
                Expect(value, JsonValueKind.Object, map);
        }

        CheckNames(body);
        if (body.TryGetProperty("KeyConditions", out var conditions) && conditions.ValueKind != JsonValueKind.Null)
        {
            Expect(conditions, JsonValueKind.Object, "KeyConditions");
            foreach (var condition in conditions.EnumerateObject())
            {
                Expect(condition.Value, JsonValueKind.Object, $"KeyConditions.{condition.Name}");
                if (condition.Value.TryGetProperty("AttributeValueList", out var list) && list.ValueKind != JsonValueKind.Null)
                {
                    Expect(list, JsonValueKind.Array, "AttributeValueList");
                    foreach (var value in list.EnumerateArray())
                        CheckAttributeValue(value, "AttributeValueList");
                }
            }
        }
    }

    /// <summary>ExpressionAttributeNames: names to strings, each placeholder once.</summary>
    private static void CheckNames(JsonElement body)
    {
        if (!body.TryGetProperty("ExpressionAttributeNames", out var names) || names.ValueKind == JsonValueKind.Null)
            return;
        Expect(names, JsonValueKind.Object, "ExpressionAttributeNames");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names.EnumerateObject())
        {
            Expect(name.Value, JsonValueKind.String, $"ExpressionAttributeNames.{name.Name}");
            if (!seen.Add(name.Name))
                throw Validation($"ExpressionAttributeNames contains the placeholder {name.Name} more than once.");
        }
    }

    private static void CheckAttributeMap(JsonElement map, string what)
    {
        Expect(map, JsonValueKind.Object, what);
        foreach (var attribute in map.EnumerateObject())
            CheckAttributeValue(attribute.Value, $"{what}.{attribute.Name}");
    }

    /// <summary>An AttributeValue: an object whose S, N and B, where present, are strings.</summary>
    private static void CheckAttributeValue(JsonElement value, string what)
    {
        Expect(value, JsonValueKind.Object, what);
        foreach (var scalar in (string[])["S", "N", "B"])
        {
            if (value.TryGetProperty(scalar, out var text) && text.ValueKind != JsonValueKind.Null)
                Expect(text, JsonValueKind.String, $"{what}.{scalar}");
        }
    }

    private static void Expect(JsonElement value, JsonValueKind kind, string what)
    {
        if (value.ValueKind != kind)
        {
            throw new ShapeException(new AwsServiceException("com.amazon.coral.service#SerializationException",
                $"{what}: expected {Describe(kind)}, found {Describe(value.ValueKind)}."));
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static ShapeException Validation(string message) =>
        new(new AwsServiceException("com.amazon.coral.validate#ValidationException", message));

    private sealed class ShapeException(AwsServiceException answer) : Exception(answer.Message)
    {
        public AwsServiceException Answer { get; } = answer;
    }
}
