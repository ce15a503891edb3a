using System.Text.Json;
using HealthFlow.Domain.CheckIns;
using HealthFlow.Domain.Events;

namespace HealthFlow.Domain.Tests;

public class CheckInValidatorTests
{
    private static readonly DateTimeOffset Now = new(2025, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static CheckInValidation Validate(string json)
    {
        using var document = JsonDocument.Parse(json);
        return CheckInValidator.Validate(document.RootElement, Now);
    }

    private static string[] ErrorsFor(string json, string field)
    {
        var validation = Validate(json);
        Assert.False(validation.IsValid, $"{json} should be rejected");
        Assert.True(validation.Errors.ContainsKey(field), $"{json}: expected an error for '{field}', got {string.Join(", ", validation.Errors.Keys)}");
        return validation.Errors[field];
    }

    [Fact]
    public void A_complete_check_in_is_accepted_as_sent()
    {
        var validation = Validate("""
            {
              "score": 6, "heartRate": 88, "respiratoryRate": 18, "oxygenSaturation": 95,
              "onSupplementalOxygen": false, "systolicBp": 132, "diastolicBp": 84,
              "temperature": 37.85, "consciousness": "confusion",
              "measuredAt": "2025-05-01T12:30:00+01:00", "note": "  Tired today.  "
            }
            """);

        Assert.True(validation.IsValid);
        Assert.Empty(validation.Errors);
        Assert.Equal(
            new VitalSigns(6, 88, 18, 95, false, 132, 84, 37.85m, Consciousness.Confusion),
            validation.CheckIn.Vitals);
        Assert.Equal(new DateTimeOffset(2025, 5, 1, 12, 30, 0, TimeSpan.FromHours(1)), validation.CheckIn.MeasuredAt);
        Assert.Equal(TimeSpan.FromHours(1), validation.CheckIn.MeasuredAt.Offset);
        Assert.Equal("Tired today.", validation.CheckIn.Note);
    }

    [Fact]
    public void The_original_score_only_check_in_is_accepted_and_measured_now()
    {
        var validation = Validate("""{"score": 9}""");

        Assert.True(validation.IsValid);
        Assert.Equal(new VitalSigns(Score: 9), validation.CheckIn.Vitals);
        Assert.Equal(Now, validation.CheckIn.MeasuredAt);
        Assert.Null(validation.CheckIn.Note);
    }

    [Theory]
    [InlineData("score", "0", false)]
    [InlineData("score", "1", true)]
    [InlineData("score", "10", true)]
    [InlineData("score", "11", false)]
    [InlineData("heartRate", "19", false)]
    [InlineData("heartRate", "20", true)]
    [InlineData("heartRate", "300", true)]
    [InlineData("heartRate", "301", false)]
    [InlineData("respiratoryRate", "2", false)]
    [InlineData("respiratoryRate", "3", true)]
    [InlineData("respiratoryRate", "80", true)]
    [InlineData("respiratoryRate", "81", false)]
    [InlineData("oxygenSaturation", "49", false)]
    [InlineData("oxygenSaturation", "50", true)]
    [InlineData("oxygenSaturation", "100", true)]
    [InlineData("oxygenSaturation", "101", false)]
    [InlineData("systolicBp", "49", false)]
    [InlineData("systolicBp", "50", true)]
    [InlineData("systolicBp", "300", true)]
    [InlineData("systolicBp", "301", false)]
    [InlineData("diastolicBp", "19", false)]
    [InlineData("diastolicBp", "20", true)]
    [InlineData("diastolicBp", "200", true)]
    [InlineData("diastolicBp", "201", false)]
    [InlineData("temperature", "24.9", false)]
    [InlineData("temperature", "24.99", false)]
    [InlineData("temperature", "25.0", true)]
    [InlineData("temperature", "25", true)]
    [InlineData("temperature", "36.65", true)]
    [InlineData("temperature", "45.0", true)]
    [InlineData("temperature", "45.01", false)]
    [InlineData("temperature", "\"37.5\"", false)]
    [InlineData("onSupplementalOxygen", "true", true)]
    [InlineData("onSupplementalOxygen", "false", true)]
    [InlineData("onSupplementalOxygen", "1", false)]
    [InlineData("onSupplementalOxygen", "\"true\"", false)]
    [InlineData("consciousness", "\"alert\"", true)]
    [InlineData("consciousness", "\"confusion\"", true)]
    [InlineData("consciousness", "\"voice\"", true)]
    [InlineData("consciousness", "\"pain\"", true)]
    [InlineData("consciousness", "\"unresponsive\"", true)]
    [InlineData("consciousness", "\"Alert\"", false)]
    [InlineData("consciousness", "\"asleep\"", false)]
    [InlineData("consciousness", "0", false)]
    public void Each_measurement_is_checked_against_its_range(string field, string value, bool accepted)
    {
        var json = $$"""{"{{field}}": {{value}}}""";

        if (accepted)
        {
            Assert.True(Validate(json).IsValid, $"{json} should be accepted");
        }
        else
        {
            Assert.Equal([field], Validate(json).Errors.Keys);
        }
    }

    [Theory]
    [InlineData("7.5")]
    [InlineData("7.0")]
    [InlineData("7e0")]
    [InlineData("\"7\"")]
    [InlineData("true")]
    [InlineData("[7]")]
    [InlineData("1e400")]
    public void Score_must_be_a_plain_integer_and_is_never_truncated_or_coerced(string value) =>
        Assert.Equal(["Score must be an integer from 1 to 10."], ErrorsFor($$"""{"score": {{value}}}""", "score"));

    [Fact]
    public void Every_invalid_field_is_reported_at_once()
    {
        var validation = Validate("""{"score": 11, "heartRate": 10, "consciousness": "awake"}""");

        Assert.Equal(["score", "heartRate", "consciousness"], validation.Errors.Keys);
        Assert.Equal(["Heart rate must be an integer from 20 to 300 (beats per minute)."], validation.Errors["heartRate"]);
    }

    [Fact]
    public void Unknown_properties_are_rejected_by_name() =>
        Assert.Contains("Unknown property 'mood'", Assert.Single(ErrorsFor("""{"score": 5, "mood": "ok"}""", "mood")));

    [Theory]
    [InlineData("Score", "score")]
    [InlineData("heartrate", "heartRate")]
    [InlineData("MeasuredAt", "measuredAt")]
    public void A_property_in_the_wrong_case_is_rejected_with_the_right_name(string sent, string intended) =>
        Assert.Contains($"use '{intended}'", Assert.Single(ErrorsFor($$"""{"{{sent}}": 5}""", sent)));

    [Theory]
    [InlineData("patientId")]
    [InlineData("patient_id")]
    [InlineData("PatientId")]
    [InlineData("PATIENT_ID")]
    public void A_patient_id_in_the_body_is_rejected_because_the_token_names_the_patient(string property) =>
        Assert.Contains("access token", Assert.Single(ErrorsFor($$"""{"{{property}}": "p-1", "score": 5}""", property)));

    [Fact]
    public void A_property_sent_twice_is_rejected() =>
        Assert.Contains("more than once", Assert.Single(ErrorsFor("""{"score": 5, "score": 9}""", "score")));

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"note": "feeling fine"}""")]
    [InlineData("""{"measuredAt": "2025-05-01T11:00:00Z"}""")]
    [InlineData("""{"score": null, "heartRate": null}""")]
    public void A_check_in_without_any_measurement_is_rejected(string json) =>
        Assert.Contains("At least one measurement is required", Assert.Single(ErrorsFor(json, CheckInFields.Measurements)));

    [Fact]
    public void An_invalid_measurement_is_not_also_reported_as_missing() =>
        Assert.Equal(["score"], Validate("""{"score": 0}""").Errors.Keys);

    [Fact]
    public void A_null_measurement_is_treated_as_not_measured()
    {
        var validation = Validate("""{"score": 4, "heartRate": null}""");

        Assert.True(validation.IsValid);
        Assert.Null(validation.CheckIn.Vitals.HeartRate);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[{\"score\": 5}]")]
    [InlineData("\"score=5\"")]
    [InlineData("5")]
    [InlineData("null")]
    public void A_body_that_is_not_a_JSON_object_is_rejected(string json) =>
        Assert.Equal(["The request body must be a JSON object."], ErrorsFor(json, CheckInFields.Body));

    [Theory]
    [InlineData("2025-05-01T12:00:00Z")]
    [InlineData("2025-05-01T12:01:59Z")]
    [InlineData("2025-05-01T14:02:00+02:00")]
    [InlineData("2025-05-01T11:59:59.1234567Z")]
    [InlineData("2025-05-01T07:00-05:00")]
    [InlineData("2025-04-24T12:00:00Z")]
    public void MeasuredAt_within_the_last_week_and_the_clock_skew_is_accepted(string measuredAt)
    {
        var validation = Validate($$"""{"score": 5, "measuredAt": "{{measuredAt}}"}""");

        Assert.True(validation.IsValid);
        Assert.Equal(DateTimeOffset.Parse(measuredAt, System.Globalization.CultureInfo.InvariantCulture), validation.CheckIn.MeasuredAt);
    }

    [Theory]
    [InlineData("2025-05-01T12:02:01Z", "must not be in the future")]
    [InlineData("2025-05-01T16:00:00+02:00", "must not be in the future")]
    [InlineData("2025-04-24T11:59:59Z", "within the last 7 days")]
    [InlineData("2025-05-01T12:00:00", "with an offset")]
    [InlineData("2025-05-01", "with an offset")]
    [InlineData("01/05/2025 12:00", "with an offset")]
    [InlineData("yesterday", "with an offset")]
    [InlineData("2025-02-30T12:00:00Z", "with an offset")]
    public void MeasuredAt_in_the_future_too_old_or_without_an_offset_is_rejected(string measuredAt, string reason) =>
        Assert.Contains(reason, Assert.Single(ErrorsFor($$"""{"score": 5, "measuredAt": "{{measuredAt}}"}""", "measuredAt")));

    [Fact]
    public void MeasuredAt_must_be_a_string() =>
        Assert.Single(ErrorsFor("""{"score": 5, "measuredAt": 1746100800}""", "measuredAt"));

    [Fact]
    public void A_note_of_500_characters_is_accepted() =>
        Assert.Equal(500, Validate($$"""{"score": 5, "note": "{{new string('a', 500)}}"}""").CheckIn!.Note!.Length);

    [Fact]
    public void A_note_over_500_characters_is_rejected() =>
        Assert.Equal(
            ["Note must be a string of at most 500 characters."],
            ErrorsFor($$"""{"score": 5, "note": "{{new string('a', 501)}}"}""", "note"));

    [Fact]
    public void A_note_must_be_a_string() =>
        Assert.Single(ErrorsFor("""{"score": 5, "note": 42}""", "note"));

    [Fact]
    public void A_blank_note_is_stored_as_no_note() =>
        Assert.Null(Validate("""{"score": 5, "note": "   "}""").CheckIn!.Note);

    [Theory]
    [InlineData(120, 80, true)]
    [InlineData(120, 119, true)]
    [InlineData(120, 120, false)]
    [InlineData(80, 120, false)]
    public void Diastolic_must_be_below_systolic_when_both_are_sent(int systolic, int diastolic, bool accepted)
    {
        var validation = Validate($$"""{"systolicBp": {{systolic}}, "diastolicBp": {{diastolic}}}""");

        Assert.Equal(accepted, validation.IsValid);
        if (!accepted)
        {
            Assert.Equal(["diastolicBp"], validation.Errors.Keys);
        }
    }

    [Theory]
    [InlineData("""{"systolicBp": 85}""")]
    [InlineData("""{"diastolicBp": 60}""")]
    public void One_blood_pressure_value_without_the_other_is_accepted(string json) =>
        Assert.True(Validate(json).IsValid);
}
