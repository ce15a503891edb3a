namespace HealthFlow.Domain.Validation;

/// <summary>
/// Collects validation messages keyed by the camelCase field name, in the shape
/// <c>TypedResults.ValidationProblem</c> takes (<c>IEnumerable&lt;KeyValuePair&lt;string, string[]&gt;&gt;</c>).
/// </summary>
internal sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
    }

    public IReadOnlyDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
