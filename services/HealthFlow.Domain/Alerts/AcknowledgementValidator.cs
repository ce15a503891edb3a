namespace HealthFlow.Domain.Alerts;

/// <summary>Validates the body of <c>POST /api/alerts/{alertId}/acknowledge</c>: <c>{note?}</c>.</summary>
public static class AcknowledgementValidator
{
    public const string NoteField = "note";
    public const int NoteMaxLength = 500;

    /// <summary>The errors keyed by camelCase field name; empty when the note is acceptable.</summary>
    public static IReadOnlyDictionary<string, string[]> Validate(string? note) =>
        note is { Length: > NoteMaxLength }
            ? new Dictionary<string, string[]> { [NoteField] = [$"Note must be at most {NoteMaxLength} characters."] }
            : new Dictionary<string, string[]>();
}
