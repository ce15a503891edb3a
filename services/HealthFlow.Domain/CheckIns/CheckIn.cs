using System.Diagnostics.CodeAnalysis;
using HealthFlow.Domain.Events;

namespace HealthFlow.Domain.CheckIns;

/// <summary>A validated check-in: what was measured, when, and the patient's optional note.</summary>
public sealed record CheckIn(VitalSigns Vitals, DateTimeOffset MeasuredAt, string? Note);

/// <summary>Either a validated <see cref="CheckIn"/> or the errors keyed by camelCase field name.</summary>
public sealed class CheckInValidation
{
    private CheckInValidation(CheckIn? checkIn, IReadOnlyDictionary<string, string[]> errors)
    {
        CheckIn = checkIn;
        Errors = errors;
    }

    public CheckIn? CheckIn { get; }

    /// <summary>Empty when valid; otherwise ready for <c>TypedResults.ValidationProblem(Errors)</c>.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    [MemberNotNullWhen(true, nameof(CheckIn))]
    public bool IsValid => CheckIn is not null;

    internal static CheckInValidation Valid(CheckIn checkIn) =>
        new(checkIn, new Dictionary<string, string[]>());

    internal static CheckInValidation Invalid(IReadOnlyDictionary<string, string[]> errors) => new(null, errors);
}
