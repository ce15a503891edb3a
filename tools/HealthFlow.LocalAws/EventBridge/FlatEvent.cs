using System.Text.Json;

namespace HealthFlow.LocalAws.EventBridge;

/// <summary>An event flattened once into dotted paths and their leaf values, then matched against any number of patterns.</summary>
internal sealed class FlatEvent
{
    private static readonly List<EventValue> None = [];
    private readonly Dictionary<string, List<EventValue>> _values = new(StringComparer.Ordinal);
    private int _arrays;

    private FlatEvent()
    {
    }

    public static FlatEvent From(JsonElement root)
    {
        var flat = new FlatEvent();
        flat.Walk(root, string.Empty, []);
        return flat;
    }

    public List<EventValue> Get(string path) => _values.TryGetValue(path, out var values) ? values : None;

    private void Walk(JsonElement element, string path, ArrayPosition[] positions)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                    Walk(property.Value, path.Length == 0 ? property.Name : path + "." + property.Name, positions);
                break;
            case JsonValueKind.Array:
                int arrayId = _arrays++;
                int index = 0;
                foreach (var item in element.EnumerateArray())
                    Walk(item, path, [.. positions, new ArrayPosition(arrayId, index++)]);
                break;
            case JsonValueKind.String:
                Add(path, new EventValue(EventValueKind.String, element.GetString(), 0, positions));
                break;
            case JsonValueKind.Number:
                Add(path, new EventValue(EventValueKind.Number, null, element.GetDouble(), positions));
                break;
            case JsonValueKind.True:
                Add(path, new EventValue(EventValueKind.True, null, 0, positions));
                break;
            case JsonValueKind.False:
                Add(path, new EventValue(EventValueKind.False, null, 0, positions));
                break;
            case JsonValueKind.Null:
                Add(path, new EventValue(EventValueKind.Null, null, 0, positions));
                break;
        }
    }

    private void Add(string path, EventValue value)
    {
        if (!_values.TryGetValue(path, out var values))
            _values[path] = values = new List<EventValue>(1);
        values.Add(value);
    }
}
