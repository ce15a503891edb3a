using HealthFlow.Domain.Events;
using HealthFlow.Fhir.Out;
using HealthFlow.ReadModels;
using Hl7.Fhir.Model;

namespace HealthFlow.Fhir.Tests;

/// <summary>
/// Negative controls for the checker every "validates against its profile" test relies on: a validator that
/// cannot fail would let all of them pass. Each test starts from a resource HealthFlow produces (which validates)
/// and breaks one thing a profile or the core specification requires.
/// </summary>
[Collection(FhirValidationCollection.Name)]
public sealed class ProfileValidatorTests(ProfileValidator validator)
{
    private static readonly Guid PatientId = Guid.Parse("0f7d3c52-8a1e-4b6a-9d55-3c2b1a0e9f11");
    private static readonly DateTimeOffset MeasuredAt = new(2026, 11, 30, 8, 30, 0, TimeSpan.Zero);

    private static Observation HeartRate() => CheckInObservations.From(new ObservationView(
            Guid.Parse("01937a6e-2b4c-7d8e-9f00-112233445566"), PatientId, MeasuredAt, MeasuredAt.AddMinutes(1),
            Score: null, HeartRate: 118, RespiratoryRate: null, OxygenSaturation: null, OnSupplementalOxygen: null,
            SystolicBp: null, DiastolicBp: null, Temperature: null, Consciousness: null, Note: null))
        .Single(o => o.Code!.Coding.Any(c => c.Code == "8867-4"));

    [Fact]
    public void A_heart_rate_HealthFlow_produces_validates_as_the_control()
    {
        Assert.Empty(validator.Errors(HeartRate()));
    }

    [Fact]
    public void A_heart_rate_in_a_unit_the_vital_signs_profile_forbids_is_an_error_naming_the_profile()
    {
        var observation = HeartRate();
        var quantity = Assert.IsType<Quantity>(observation.Value);
        quantity.Code = "Cel";
        quantity.Unit = "Cel";

        var errors = validator.Errors(observation);

        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.Contains("http://hl7.org/fhir/StructureDefinition/heartrate", StringComparison.Ordinal));
    }

    [Fact]
    public void An_Observation_without_its_required_status_is_an_error_of_the_core_specification()
    {
        var observation = HeartRate();
        observation.Status = null;

        Assert.Contains(validator.Errors(observation), e => e.Contains("http://hl7.org/fhir/StructureDefinition/Observation", StringComparison.Ordinal));
    }

    [Fact]
    public void A_profile_the_validator_cannot_resolve_is_an_error_not_a_silent_pass()
    {
        var observation = HeartRate();
        observation.Meta!.Profile = ["http://healthflow.example.org/fhir/StructureDefinition/no-such-profile"];

        Assert.Contains(validator.Errors(observation), e => e.Contains("no-such-profile", StringComparison.Ordinal));
    }

    [Fact]
    public void AssertValid_fails_for_an_invalid_resource_inside_a_Bundle()
    {
        var broken = HeartRate();
        broken.Status = null;
        var bundle = new Bundle { Type = Bundle.BundleType.Collection, Entry = [new Bundle.EntryComponent { FullUrl = "urn:uuid:" + Guid.NewGuid(), Resource = broken }] };

        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => validator.AssertValid(bundle));
    }
}
