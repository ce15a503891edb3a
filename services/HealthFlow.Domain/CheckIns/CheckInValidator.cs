using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Validation;

namespace HealthFlow.Domain.CheckIns;

/// <summary>
/// Validates a check-in from the raw JSON body. Model binding would silently coerce or drop values
/// (7.5, "7", unknown or misspelt properties), so the body is read as JSON and every rule is explicit.
/// The rules and their reasons are written down in CheckIns/README.md.
/// </summary>
public static partial class CheckInValidator
{
    private static readonly string ScoreMessage =
        $"Score must be an integer from {CheckInLimits.ScoreMin} to {CheckInLimits.ScoreMax}.";
    private static readonly string HeartRateMessage =
        $"Heart rate must be an integer from {CheckInLimits.HeartRateMin} to {CheckInLimits.HeartRateMax} (beats per minute).";
    private static readonly string RespiratoryRateMessage =
        $"Respiratory rate must be an integer from {CheckInLimits.RespiratoryRateMin} to {CheckInLimits.RespiratoryRateMax} (breaths per minute).";
    private static readonly string OxygenSaturationMessage =
        $"Oxygen saturation must be an integer from {CheckInLimits.OxygenSaturationMin} to {CheckInLimits.OxygenSaturationMax} (%).";
    private static readonly string SystolicBpMessage =
        $"Systolic blood pressure must be an integer from {CheckInLimits.SystolicBpMin} to {CheckInLimits.SystolicBpMax} (mmHg).";
    private static readonly string DiastolicBpMessage =
        $"Diastolic blood pressure must be an integer from {CheckInLimits.DiastolicBpMin} to {CheckInLimits.DiastolicBpMax} (mmHg).";
    private static readonly string TemperatureMessage = string.Create(CultureInfo.InvariantCulture,
        $"Temperature must be a number from {CheckInLimits.TemperatureMin:0.0} to {CheckInLimits.TemperatureMax:0.0} (°C).");
    private static readonly string NoteMessage =
        $"Note must be a string of at most {CheckInLimits.NoteMaxLength} characters.";

    private const string InvalidTextMessage =
        "Text must be valid Unicode: an escaped lone surrogate such as \\udfff is not a character.";

    private static readonly Dictionary<string, Consciousness> ConsciousnessLevels = new(StringComparer.Ordinal)
    {
        ["alert"] = Consciousness.Alert,
        ["confusion"] = Consciousness.Confusion,
        ["voice"] = Consciousness.Voice,
        ["pain"] = Consciousness.Pain,
        ["unresponsive"] = Consciousness.Unresponsive,
    };

    private static readonly string ConsciousnessMessage =
        $"Consciousness must be one of: {string.Join(", ", ConsciousnessLevels.Keys)}.";

    // RFC 3339 profile of ISO-8601: a full date and time, and an explicit offset, because a reading
    // without one cannot be placed on the timeline.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTimeWithOffset();

    public static CheckInValidation Validate(JsonElement body, DateTimeOffset now)
    {
        var errors = new ValidationErrors();
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add(CheckInFields.Body, "The request body must be a JSON object.");
            return CheckInValidation.Invalid(errors.ToDictionary());
        }

        int? score = null, heartRate = null, respiratoryRate = null, oxygenSaturation = null;
        int? systolicBp = null, diastolicBp = null;
        bool? onSupplementalOxygen = null;
        decimal? temperature = null;
        Consciousness? consciousness = null;
        DateTimeOffset? measuredAt = null;
        string? note = null;
        var measurementsGiven = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);

        foreach (var property in body.EnumerateObject())
        {
            if (!TryGetName(property, out var name))
            {
                errors.Add(CheckInFields.Body, InvalidTextMessage);
                continue;
            }

            var value = property.Value;
            if (!seen.Add(name))
            {
                errors.Add(name, $"Property '{name}' appears more than once.");
                continue;
            }

            if (IsPatientId(name))
            {
                errors.Add(name, $"Do not send '{name}': the patient is taken from your access token.");
                continue;
            }

            if (!CheckInFields.All.Contains(name))
            {
                errors.Add(name, UnknownPropertyMessage(name));
                continue;
            }

            // null means "not measured", as if the property were absent.
            if (value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (CheckInFields.MeasurementFields.Contains(name))
            {
                measurementsGiven++;
            }

            switch (name)
            {
                case CheckInFields.Score:
                    score = ReadInteger(value, CheckInLimits.ScoreMin, CheckInLimits.ScoreMax, name, ScoreMessage, errors);
                    break;
                case CheckInFields.HeartRate:
                    heartRate = ReadInteger(value, CheckInLimits.HeartRateMin, CheckInLimits.HeartRateMax, name, HeartRateMessage, errors);
                    break;
                case CheckInFields.RespiratoryRate:
                    respiratoryRate = ReadInteger(value, CheckInLimits.RespiratoryRateMin, CheckInLimits.RespiratoryRateMax, name, RespiratoryRateMessage, errors);
                    break;
                case CheckInFields.OxygenSaturation:
                    oxygenSaturation = ReadInteger(value, CheckInLimits.OxygenSaturationMin, CheckInLimits.OxygenSaturationMax, name, OxygenSaturationMessage, errors);
                    break;
                case CheckInFields.SystolicBp:
                    systolicBp = ReadInteger(value, CheckInLimits.SystolicBpMin, CheckInLimits.SystolicBpMax, name, SystolicBpMessage, errors);
                    break;
                case CheckInFields.DiastolicBp:
                    diastolicBp = ReadInteger(value, CheckInLimits.DiastolicBpMin, CheckInLimits.DiastolicBpMax, name, DiastolicBpMessage, errors);
                    break;
                case CheckInFields.OnSupplementalOxygen:
                    onSupplementalOxygen = ReadBoolean(value, name, errors);
                    break;
                case CheckInFields.Temperature:
                    temperature = ReadTemperature(value, errors);
                    break;
                case CheckInFields.Consciousness:
                    consciousness = ReadConsciousness(value, errors);
                    break;
                case CheckInFields.MeasuredAt:
                    measuredAt = ReadMeasuredAt(value, now, errors);
                    break;
                case CheckInFields.Note:
                    note = ReadNote(value, errors);
                    break;
            }
        }

        if (systolicBp is { } systolic && diastolicBp is { } diastolic && diastolic >= systolic)
        {
            errors.Add(CheckInFields.DiastolicBp, "Diastolic blood pressure must be lower than systolic blood pressure.");
        }

        if (measurementsGiven == 0)
        {
            errors.Add(CheckInFields.Measurements,
                $"At least one measurement is required: {string.Join(", ", CheckInFields.MeasurementFields)}.");
        }

        if (errors.Any)
        {
            return CheckInValidation.Invalid(errors.ToDictionary());
        }

        var vitals = new VitalSigns(
            score, heartRate, respiratoryRate, oxygenSaturation, onSupplementalOxygen,
            systolicBp, diastolicBp, temperature, consciousness);
        return CheckInValidation.Valid(new CheckIn(vitals, measuredAt ?? now, note));
    }

    private static bool IsPatientId(string name) =>
        name.Replace("_", "", StringComparison.Ordinal).Equals("patientid", StringComparison.OrdinalIgnoreCase);

    private static string UnknownPropertyMessage(string name)
    {
        var intended = CheckInFields.All.FirstOrDefault(f => f.Equals(name, StringComparison.OrdinalIgnoreCase));
        return intended is null
            ? $"Unknown property '{name}'. Allowed: {string.Join(", ", CheckInFields.All)}."
            : $"Unknown property '{name}'. Property names are case-sensitive: use '{intended}'.";
    }

    // TryGetInt32 parses the literal as written, so 7.5, 7.0 and 7e0 are rejected rather than truncated.
    private static int? ReadInteger(JsonElement value, int min, int max, string field, string message, ValidationErrors errors)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min && number <= max)
        {
            return number;
        }

        errors.Add(field, message);
        return null;
    }

    private static bool? ReadBoolean(JsonElement value, string field, ValidationErrors errors)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                errors.Add(field, $"{field} must be true or false.");
                return null;
        }
    }

    private static decimal? ReadTemperature(JsonElement value, ValidationErrors errors)
    {
        if (value.ValueKind == JsonValueKind.Number
            && value.TryGetDecimal(out var celsius)
            && celsius >= CheckInLimits.TemperatureMin
            && celsius <= CheckInLimits.TemperatureMax)
        {
            return celsius;
        }

        errors.Add(CheckInFields.Temperature, TemperatureMessage);
        return null;
    }

    private static Consciousness? ReadConsciousness(JsonElement value, ValidationErrors errors)
    {
        if (TryGetText(value, out var text) && ConsciousnessLevels.TryGetValue(text, out var level))
        {
            return level;
        }

        errors.Add(CheckInFields.Consciousness, ConsciousnessMessage);
        return null;
    }

    private static DateTimeOffset? ReadMeasuredAt(JsonElement value, DateTimeOffset now, ValidationErrors errors)
    {
        if (!TryGetText(value, out var text)
            || !DateTimeWithOffset().IsMatch(text)
            || !value.TryGetDateTimeOffset(out var measuredAt))
        {
            errors.Add(CheckInFields.MeasuredAt,
                "measuredAt must be an ISO-8601 date and time with an offset, e.g. 2025-05-01T08:30:00Z or 2025-05-01T09:30:00+01:00.");
            return null;
        }

        if (measuredAt > now + CheckInLimits.MeasuredAtMaxClockSkew)
        {
            errors.Add(CheckInFields.MeasuredAt, "measuredAt must not be in the future.");
            return null;
        }

        if (measuredAt < now - CheckInLimits.MeasuredAtMaxAge)
        {
            errors.Add(CheckInFields.MeasuredAt,
                $"measuredAt must be within the last {CheckInLimits.MeasuredAtMaxAge.TotalDays:0} days.");
            return null;
        }

        return measuredAt;
    }

    // A blank note carries nothing, so it is stored as no note.
    private static string? ReadNote(JsonElement value, ValidationErrors errors)
    {
        if (value.ValueKind == JsonValueKind.String && !TryGetText(value, out _))
        {
            errors.Add(CheckInFields.Note, $"{NoteMessage} {InvalidTextMessage}");
            return null;
        }

        if (!TryGetText(value, out var text) || text.Length > CheckInLimits.NoteMaxLength)
        {
            errors.Add(CheckInFields.Note, NoteMessage);
            return null;
        }

        var note = text.Trim();
        return note.Length == 0 ? null : note;
    }

    // JSON may escape a lone UTF-16 surrogate ("\udfff"); System.Text.Json refuses to turn it into a
    // string (InvalidOperationException), and such text could not be stored or re-encoded anyway.
    private static bool TryGetText(JsonElement value, [NotNullWhen(true)] out string? text)
    {
        text = null;
        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        try
        {
            text = value.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool TryGetName(JsonProperty property, [NotNullWhen(true)] out string? name)
    {
        try
        {
            name = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            name = null;
            return false;
        }
    }
}
