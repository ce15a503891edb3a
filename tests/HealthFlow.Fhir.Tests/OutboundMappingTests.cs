using HealthFlow.Domain.Events;
using HealthFlow.Fhir.Out;
using HealthFlow.ReadModels;
using Hl7.Fhir.Model;

namespace HealthFlow.Fhir.Tests;

[Collection(FhirValidationCollection.Name)]
public sealed class OutboundMappingTests(ProfileValidator validator)
{
    private static readonly Guid PatientId = Guid.Parse("0f7d3c52-8a1e-4b6a-9d55-3c2b1a0e9f11");
    private static readonly Guid CheckInId = Guid.Parse("01937a6e-2b4c-7d8e-9f00-112233445566");
    private static readonly DateTimeOffset MeasuredAt = new(2026, 11, 30, 8, 30, 0, TimeSpan.Zero);

    private static CheckInView FullCheckIn(string? note = "Felt dizzy") => new()
    {
        ObservationId = CheckInId, PatientId = PatientId, MeasuredAt = MeasuredAt, SubmittedAt = MeasuredAt.AddMinutes(1),
        Score = 9, HeartRate = 118, RespiratoryRate = 24, OxygenSaturation = 93, OnSupplementalOxygen = true,
        SystolicBp = 98, DiastolicBp = 61, Temperature = 38.4m, Consciousness = Consciousness.Confusion, Note = note,
    };

    private static (string?, decimal, string?) Component(Observation.ComponentComponent component)
    {
        var quantity = Assert.IsType<Quantity>(component.Value);
        return (component.Code!.Coding[0].Code, quantity.Value!.Value, quantity.Code);
    }

    [Fact]
    public void Every_Observation_of_a_full_check_in_validates_against_its_profile()
    {
        var observations = CheckInObservations.From(FullCheckIn());

        Assert.Equal(9, observations.Count);
        AssertNonEmpty.All(observations, validator.AssertValid);
    }

    [Theory]
    [InlineData("heart-rate", "8867-4", "/min", 118)]
    [InlineData("respiratory-rate", "9279-1", "/min", 24)]
    [InlineData("oxygen-saturation", "2708-6", "%", 93)]
    [InlineData("temperature", "8310-5", "Cel", 38.4)]
    public void Each_vital_sign_is_a_LOINC_coded_UCUM_quantity_in_the_vital_signs_category(string slug, string loinc, string ucum, double value)
    {
        var observation = CheckInObservations.From(FullCheckIn()).Single(o => o.Id == $"{CheckInId}-{slug}");

        Assert.Contains(observation.Code!.Coding, c => c.System == "http://loinc.org" && c.Code == loinc);
        Assert.Equal("vital-signs", Assert.Single(observation.Category).Coding.Single().Code);
        var quantity = Assert.IsType<Quantity>(observation.Value);
        Assert.Equal((decimal)value, quantity.Value);
        Assert.Equal("http://unitsofmeasure.org", quantity.System);
        Assert.Equal(ucum, quantity.Code);
        Assert.Equal($"Patient/{PatientId}", observation.Subject!.Reference);
    }

    [Fact]
    public void Blood_pressure_is_one_panel_with_systolic_and_diastolic_components()
    {
        var panel = CheckInObservations.From(FullCheckIn()).Single(o => o.Code!.Coding.Any(c => c.Code == "85354-9"));

        Assert.Null(panel.Value);
        Assert.Collection(panel.Component,
            systolic => Assert.Equal(("8480-6", 98m, "mm[Hg]"), Component(systolic)),
            diastolic => Assert.Equal(("8462-4", 61m, "mm[Hg]"), Component(diastolic)));
    }

    [Fact]
    public void The_NEWS2_total_is_derived_from_the_vital_signs_and_says_when_it_is_partial()
    {
        var full = CheckInObservations.From(FullCheckIn()).Single(o => o.Id == $"{CheckInId}-news2-total");
        // RR 24 → 2, SpO2 93 → 2, O2 → 2, SBP 98 → 2, HR 118 → 2, confusion → 3, 38.4 → 1.
        Assert.Equal(14m, Assert.IsType<Quantity>(full.Value).Value);
        // One Observation per NEWS2 parameter (the blood pressure panel stands for systolic BP).
        Assert.Equal(7, full.DerivedFrom.Count);
        Assert.DoesNotContain(full.Note, n => n.Text!.StartsWith("Partial", StringComparison.Ordinal));

        var partial = CheckInObservations.From(FullCheckIn(note: null) with { Temperature = null, Consciousness = null })
            .Single(o => o.Id == $"{CheckInId}-news2-total");
        Assert.Contains("temperature", Assert.Single(partial.Note).Text);
        validator.AssertValid(partial);
    }

    [Fact]
    public void A_score_only_check_in_is_one_survey_Observation_and_no_NEWS2()
    {
        var observation = Assert.Single(CheckInObservations.From(new CheckInView
        {
            ObservationId = CheckInId, PatientId = PatientId, MeasuredAt = MeasuredAt, SubmittedAt = MeasuredAt, Score = 8,
        }));

        Assert.Equal("survey", observation.Category[0].Coding[0].Code);
        Assert.Equal(8m, Assert.IsType<Quantity>(observation.Value).Value);
        validator.AssertValid(observation);
    }

    [Fact]
    public void A_patient_validates_and_carries_the_display_name()
    {
        var patient = PatientResource.From(new PatientView(PatientId, "ada", "Ada Lovelace", MeasuredAt));

        Assert.Equal("Ada Lovelace", patient.Name.Single().Text);
        validator.AssertValid(patient);
    }

    [Theory]
    [InlineData("open", "high", Flag.FlagStatus.Active, "PH")]
    [InlineData("acknowledged", "medium", Flag.FlagStatus.Inactive, "PM")]
    [InlineData("open", "low-medium", Flag.FlagStatus.Active, "PL")]
    public void An_alert_is_a_Flag_with_its_status_priority_and_every_reason(string status, string severity, Flag.FlagStatus expected, string priority)
    {
        var acknowledged = status == "acknowledged";
        var flag = AlertFlag.From(new AlertView(
            Guid.NewGuid(), PatientId, "Ada Lovelace", CheckInId, severity, "news2", ["news2", "score-threshold"],
            ["respiratoryRate 24 → 2", "score 9 > 7"], 9, 14, false, status, MeasuredAt,
            acknowledged ? MeasuredAt.AddMinutes(5) : null, acknowledged ? "clinician1" : null, null));

        Assert.Equal(expected, flag.Status);
        Assert.Equal(["news2", "score-threshold"], flag.Code!.Coding.Select(c => c.Code));
        Assert.Contains("respiratoryRate 24 → 2", flag.Code.Text);
        Assert.Contains("score 9 > 7", flag.Code.Text);
        Assert.Equal(priority, Assert.IsType<CodeableConcept>(flag.GetExtension("http://hl7.org/fhir/StructureDefinition/flag-priority")!.Value).Coding[0].Code);
        Assert.Equal(acknowledged, flag.Period!.End is not null);
        validator.AssertValid(flag);
    }

    [Fact]
    public void A_personal_threshold_alert_is_a_Flag_naming_the_rule_and_the_bound_crossed()
    {
        var flag = AlertFlag.From(new AlertView(
            Guid.NewGuid(), PatientId, "Ada Lovelace", CheckInId, "medium", "personal-threshold", ["personal-threshold"],
            ["heartRate 50 below personal low 55"], null, null, false, "open", MeasuredAt, null, null, null, PlanVersion: 2));

        var coding = Assert.Single(flag.Code!.Coding);
        Assert.Equal(("personal-threshold", "Vital sign outside the patient's personal bounds"), (coding.Code, coding.Display));
        Assert.Contains("heartRate 50 below personal low 55", flag.Code.Text);
        validator.AssertValid(flag);
    }

    [Fact]
    public void A_missed_check_in_is_a_Flag_with_its_reason_and_no_flag_detail_since_no_Observation_supports_it()
    {
        var flag = AlertFlag.From(new AlertView(
            Guid.NewGuid(), PatientId, "Ada Lovelace", ObservationId: null, "low-medium", "check-in-missed", ["check-in-missed"],
            ["No check-in due 09:00 Europe/London on 2026-03-29 by 10:00 (grace 60 min)."], null, null, false, "open", MeasuredAt,
            null, null, null, MissedDueAt: MeasuredAt.AddHours(-1)));

        Assert.Equal("check-in-missed", Assert.Single(flag.Code!.Coding).Code);
        Assert.Equal("Scheduled check-in missed", flag.Code.Coding[0].Display);
        Assert.Contains("No check-in due 09:00 Europe/London", flag.Code.Text);
        Assert.Null(flag.GetExtension("http://hl7.org/fhir/StructureDefinition/flag-detail"));
        validator.AssertValid(flag);
    }
}
