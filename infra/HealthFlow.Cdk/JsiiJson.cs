using System.Text.Json;

namespace HealthFlow.Cdk;

/// <summary>
/// Turns JSON (such as the topology's event patterns) into the plain dictionaries, arrays
/// and scalars that jsii passes to CloudFormation unchanged.
/// </summary>
public static class JsiiJson
{
    public static object Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Convert(document.RootElement);
    }

    private static object Convert(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => Convert(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Select(Convert).ToArray(),
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new NotSupportedException($"JSON {element.ValueKind} has no CloudFormation equivalent."),
    };
}
