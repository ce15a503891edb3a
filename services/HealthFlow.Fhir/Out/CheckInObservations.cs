using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.ReadModels;
using Hl7.Fhir.Model;

namespace HealthFlow.Fhir.Out;

/// <summary>
/// One check-in as FHIR Observations: each vital sign its own Observation on the core vital-signs
/// profile (blood pressure one panel with its two components), consciousness and supplemental oxygen
/// as exam findings, and the symptom score and NEWS2 total as survey scores derived from them.
/// Each id is {observationId}-{slug}, and each carries the check-in's id as an identifier, so a
/// client can regroup them.
/// </summary>
public static class CheckInObservations
{
    public static string IdFor(Guid observationId, string slug) => $"{observationId:D}-{slug}";

    public static IReadOnlyList<Observation> From(ObservationView checkIn)
    {
        var observations = new List<Observation>();
        foreach (var vital in VitalSignCodes.Single)
        {
            if (Measured(checkIn, vital.Field) is { } value)
            {
                var observation = VitalSign(checkIn, vital.Slug, vital.Profile, Loinc(vital));
                observation.Value = Quantity(value, vital);
                observations.Add(observation);
            }
        }

        if (checkIn.SystolicBp is not null || checkIn.DiastolicBp is not null)
        {
            var panel = VitalSign(
                checkIn,
                VitalSignCodes.SystolicBp.Slug,
                Profiles.BloodPressure,
                new CodeableConcept(CodeSystems.Loinc, VitalSignCodes.BloodPressurePanelCode, VitalSignCodes.BloodPressurePanelDisplay, "Blood pressure"));
            foreach (var component in VitalSignCodes.BloodPressureComponents)
            {
                panel.Component.Add(Measured(checkIn, component.Field) is { } value
                    ? new Observation.ComponentComponent { Code = Loinc(component), Value = Quantity(value, component) }
                    : new Observation.ComponentComponent { Code = Loinc(component), DataAbsentReason = NotMeasured() });
            }

            observations.Add(panel);
        }

        if (checkIn.Consciousness is { } consciousness)
        {
            var (code, display) = CheckInCodes.Acvpu[consciousness];
            var observation = Finding(checkIn, CheckInCodes.Consciousness, CheckInCodes.ConsciousnessDisplay, "exam", "Exam");
            observation.Value = new CodeableConcept(CodeSystems.Acvpu, code, display, display);
            observations.Add(observation);
        }

        if (checkIn.OnSupplementalOxygen is { } onOxygen)
        {
            var observation = Finding(checkIn, CheckInCodes.SupplementalOxygen, CheckInCodes.SupplementalOxygenDisplay, "exam", "Exam");
            observation.Value = new FhirBoolean(onOxygen);
            observations.Add(observation);
        }

        var measured = observations.Select(o => new ResourceReference($"Observation/{o.Id}")).ToList();

        if (checkIn.Score is { } score)
        {
            var observation = Finding(checkIn, CheckInCodes.SymptomScore, CheckInCodes.SymptomScoreDisplay, "survey", "Survey");
            observation.Value = Score(score);
            observations.Add(observation);
        }

        var news2 = News2.Calculate(Vitals(checkIn));
        if (news2.HasAnyParameter)
        {
            var observation = Finding(checkIn, CheckInCodes.News2Total, CheckInCodes.News2TotalDisplay, "survey", "Survey");
            observation.Value = Score(news2.Total);
            observation.DerivedFrom = measured;
            observation.Method = new CodeableConcept { Text = "Royal College of Physicians NEWS2 (2017), Chart 1, SpO2 scale 1" };
            if (news2.IsPartial)
            {
                observation.Note.Add(new Annotation
                {
                    Text = $"Partial: not measured in this check-in: {string.Join(", ", news2.Missing)}. The total may understate the risk.",
                });
            }

            observations.Add(observation);
        }

        return observations;
    }

    public static VitalSigns Vitals(ObservationView checkIn) => new(
        checkIn.Score, checkIn.HeartRate, checkIn.RespiratoryRate, checkIn.OxygenSaturation, checkIn.OnSupplementalOxygen,
        checkIn.SystolicBp, checkIn.DiastolicBp, checkIn.Temperature, checkIn.Consciousness);

    private static decimal? Measured(ObservationView checkIn, string field) => field switch
    {
        Domain.CheckIns.CheckInFields.HeartRate => checkIn.HeartRate,
        Domain.CheckIns.CheckInFields.RespiratoryRate => checkIn.RespiratoryRate,
        Domain.CheckIns.CheckInFields.OxygenSaturation => checkIn.OxygenSaturation,
        Domain.CheckIns.CheckInFields.Temperature => checkIn.Temperature,
        Domain.CheckIns.CheckInFields.SystolicBp => checkIn.SystolicBp,
        Domain.CheckIns.CheckInFields.DiastolicBp => checkIn.DiastolicBp,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Not a numeric vital sign."),
    };

    private static Observation VitalSign(ObservationView checkIn, string slug, string profile, CodeableConcept code)
    {
        var observation = Base(checkIn, slug, code, "vital-signs", "Vital Signs");
        observation.Meta = new Meta { Profile = [profile] };
        return observation;
    }

    private static Observation Finding(ObservationView checkIn, string code, string display, string category, string categoryDisplay) =>
        Base(checkIn, code, new CodeableConcept(CodeSystems.HealthFlow, code, display, display), category, categoryDisplay);

    private static Observation Base(ObservationView checkIn, string slug, CodeableConcept code, string category, string categoryDisplay)
    {
        var observation = new Observation
        {
            Id = IdFor(checkIn.ObservationId, slug),
            Identifier = [new Identifier(CodeSystems.CheckInIdentifier, checkIn.ObservationId.ToString("D"))],
            Status = ObservationStatus.Final,
            Category = [new CodeableConcept(CodeSystems.ObservationCategory, category, categoryDisplay, categoryDisplay)],
            Code = code,
            Subject = new ResourceReference($"Patient/{checkIn.PatientId:D}"),
            Effective = new FhirDateTime(checkIn.MeasuredAt),
            Issued = checkIn.SubmittedAt,
        };
        if (checkIn.Note is { } note)
        {
            observation.Note.Add(new Annotation { Text = note });
        }

        return observation;
    }

    private static CodeableConcept Loinc(VitalSignCode vital)
    {
        var code = new CodeableConcept(CodeSystems.Loinc, vital.Code, vital.Display, vital.Display);
        if (vital == VitalSignCodes.OxygenSaturation)
        {
            code.Coding.Add(new Coding(CodeSystems.Loinc, VitalSignCodes.PulseOximetryCode, VitalSignCodes.PulseOximetryDisplay));
        }

        return code;
    }

    private static Quantity Quantity(decimal value, VitalSignCode vital) =>
        new() { Value = value, Unit = vital.UnitDisplay, System = CodeSystems.Ucum, Code = vital.Unit };

    private static Quantity Score(int value) =>
        new() { Value = value, Unit = "score", System = CodeSystems.Ucum, Code = "{score}" };

    private static CodeableConcept NotMeasured() =>
        new("http://terminology.hl7.org/CodeSystem/data-absent-reason", "not-performed", "Not Performed");
}
