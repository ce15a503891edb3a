using System.Diagnostics.CodeAnalysis;
using HealthFlow.Domain.Validation;

namespace HealthFlow.Domain.Patients;

public static class RegistrationLimits
{
    public const int UsernameMinLength = 3;
    public const int UsernameMaxLength = 32;
    public const int PasswordMinLength = 8;
    public const int PasswordMaxLength = 128;
    public const int DisplayNameMinLength = 1;
    public const int DisplayNameMaxLength = 100;
}

/// <summary>The JSON property names of a registration body; also the keys of its validation errors.</summary>
public static class RegistrationFields
{
    public const string Username = "username";
    public const string Password = "password";
    public const string DisplayName = "displayName";
}

/// <summary>A valid registration: the username in lower case and the display name trimmed.</summary>
public sealed record Registration(string Username, string Password, string DisplayName)
{
    // Keeps the password out of logs that print the record.
    public override string ToString() => $"Registration {{ Username = {Username}, DisplayName = {DisplayName} }}";
}

/// <summary>Either a valid <see cref="Registration"/> or the errors keyed by camelCase field name.</summary>
public sealed class RegistrationValidation
{
    private RegistrationValidation(Registration? registration, IReadOnlyDictionary<string, string[]> errors)
    {
        Registration = registration;
        Errors = errors;
    }

    public Registration? Registration { get; }

    /// <summary>Empty when valid; otherwise ready for <c>TypedResults.ValidationProblem(Errors)</c>.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    [MemberNotNullWhen(true, nameof(Registration))]
    public bool IsValid => Registration is not null;

    internal static RegistrationValidation Valid(Registration registration) =>
        new(registration, new Dictionary<string, string[]>());

    internal static RegistrationValidation Invalid(IReadOnlyDictionary<string, string[]> errors) => new(null, errors);
}

public static class RegistrationValidator
{
    private static readonly string UsernameMessage =
        $"Username must be {RegistrationLimits.UsernameMinLength} to {RegistrationLimits.UsernameMaxLength} characters of letters a-z, digits, '.', '_' or '-'.";
    private static readonly string PasswordMessage =
        $"Password must be {RegistrationLimits.PasswordMinLength} to {RegistrationLimits.PasswordMaxLength} characters.";
    private static readonly string DisplayNameMessage =
        $"Display name must be {RegistrationLimits.DisplayNameMinLength} to {RegistrationLimits.DisplayNameMaxLength} characters after trimming spaces, with no control characters.";

    public static RegistrationValidation Validate(string? username, string? password, string? displayName)
    {
        var errors = new ValidationErrors();

        if (username is null || !IsWellFormedUsername(username))
        {
            errors.Add(RegistrationFields.Username, UsernameMessage);
        }

        if (password is null
            || password.Length < RegistrationLimits.PasswordMinLength
            || password.Length > RegistrationLimits.PasswordMaxLength)
        {
            errors.Add(RegistrationFields.Password, PasswordMessage);
        }

        var trimmedName = displayName?.Trim();
        if (trimmedName is null
            || trimmedName.Length < RegistrationLimits.DisplayNameMinLength
            || trimmedName.Length > RegistrationLimits.DisplayNameMaxLength
            || trimmedName.Any(char.IsControl))
        {
            errors.Add(RegistrationFields.DisplayName, DisplayNameMessage);
        }

        return errors.Any
            ? RegistrationValidation.Invalid(errors.ToDictionary())
            : RegistrationValidation.Valid(new Registration(NormalizeUsername(username!), password!, trimmedName!));
    }

    /// <summary>
    /// The stored form of a username: ASCII letters lower-cased, everything else unchanged. Login uses it
    /// too. Only ASCII is folded, so look-alikes such as the Kelvin sign (U+212A) never become 'k'.
    /// </summary>
    public static string NormalizeUsername(string username) =>
        string.Create(username.Length, username, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsAsciiLetterUpper(source[i]) ? (char)(source[i] | 0x20) : source[i];
            }
        });

    /// <summary>
    /// Whether a username could have been registered. Login checks it before the lookup, so a 5,000-character
    /// or non-ASCII username never reaches DynamoDB (whose key size limit would answer with an error).
    /// </summary>
    public static bool IsWellFormedUsername(string username) =>
        username.Length >= RegistrationLimits.UsernameMinLength
        && username.Length <= RegistrationLimits.UsernameMaxLength
        && username.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
