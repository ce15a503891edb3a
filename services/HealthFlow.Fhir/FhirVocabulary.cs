using HealthFlow.Domain.CheckIns;
using HealthFlow.Domain.Events;

namespace HealthFlow.Fhir;

/// <summary>The code systems HealthFlow's FHIR resources use.</summary>
public static class CodeSystems
{
    public const string Loinc = "http://loinc.org";
    public const string Ucum = "http://unitsofmeasure.org";
    public const string ObservationCategory = "http://terminology.hl7.org/CodeSystem/observation-category";
    public const string FlagCategory = "http://terminology.hl7.org/CodeSystem/flag-category";

    /// <summary>
    /// HealthFlow's own concepts: NEWS2 total, symptom score, ACVPU, supplemental oxygen and alert rules.
    /// LOINC has no NEWS2 total (the NHS profiles code it in the UK SNOMED CT extension) and no ACVPU
    /// answer list, and the 1-10 symptom score is HealthFlow's own instrument, so these stay local and
    /// say so, rather than borrowing a near-miss code. The host is reserved (RFC 2606): it names, it
    /// does not resolve.
    /// </summary>
    public const string HealthFlow = "http://healthflow.example.org/fhir/CodeSystem/check-in";

    /// <summary>ACVPU levels, the answers of the consciousness Observation.</summary>
    public const string Acvpu = "http://healthflow.example.org/fhir/CodeSystem/acvpu";

    /// <summary>The alert rules a Flag names (AlertRaised.Rule values).</summary>
    public const string AlertRule = "http://healthflow.example.org/fhir/CodeSystem/alert-rule";

    /// <summary>Identifies the check-in an Observation came from: every Observation of one check-in carries its id.</summary>
    public const string CheckInIdentifier = "http://healthflow.example.org/fhir/NamingSystem/check-in";

    /// <summary>Identifies a HealthFlow patient.</summary>
    public const string PatientIdentifier = "http://healthflow.example.org/fhir/NamingSystem/patient";

    /// <summary>Core code system of the flag-priority extension.</summary>
    public const string FlagPriority = "http://hl7.org/fhir/flag-priority-code";
}

/// <summary>The core profiles HealthFlow's resources claim.</summary>
public static class Profiles
{
    public const string VitalSigns = "http://hl7.org/fhir/StructureDefinition/vitalsigns";
    public const string HeartRate = "http://hl7.org/fhir/StructureDefinition/heartrate";
    public const string RespiratoryRate = "http://hl7.org/fhir/StructureDefinition/resprate";
    public const string OxygenSaturation = "http://hl7.org/fhir/StructureDefinition/oxygensat";
    public const string BodyTemperature = "http://hl7.org/fhir/StructureDefinition/bodytemp";
    public const string BloodPressure = "http://hl7.org/fhir/StructureDefinition/bp";

    /// <summary>Core extensions on Flag: how urgent it is, and the record that supports it.</summary>
    public const string FlagPriorityExtension = "http://hl7.org/fhir/StructureDefinition/flag-priority";
    public const string FlagDetailExtension = "http://hl7.org/fhir/StructureDefinition/flag-detail";
}

/// <summary>
/// One numeric vital sign as FHIR carries it: the check-in field it fills, its LOINC code(s), its UCUM
/// unit and the core vital-signs profile it conforms to. The one table both directions use: what goes
/// out is exactly what comes in.
/// </summary>
/// <param name="Field">The check-in field (<see cref="CheckInFields"/>).</param>
/// <param name="Code">The LOINC code written out; <paramref name="AlsoAccepted"/> are read too.</param>
/// <param name="Slug">The suffix of the Observation's id: {observationId}-{slug}.</param>
public sealed record VitalSignCode(
    string Field, string Code, string Display, string Unit, string UnitDisplay, string Profile, string Slug, IReadOnlyList<string> AlsoAccepted)
{
    public IEnumerable<string> AcceptedCodes => [Code, .. AlsoAccepted];
}

public static class VitalSignCodes
{
    public static readonly VitalSignCode HeartRate = new(
        CheckInFields.HeartRate, "8867-4", "Heart rate", "/min", "beats/minute", Profiles.HeartRate, "heart-rate", []);

    public static readonly VitalSignCode RespiratoryRate = new(
        CheckInFields.RespiratoryRate, "9279-1", "Respiratory rate", "/min", "breaths/minute", Profiles.RespiratoryRate, "respiratory-rate", []);

    /// <summary>The oxygensat profile requires 2708-6 as well; pulse oximetry (59408-5) says how it was measured.</summary>
    public static readonly VitalSignCode OxygenSaturation = new(
        CheckInFields.OxygenSaturation, "2708-6", "Oxygen saturation in Arterial blood", "%", "%", Profiles.OxygenSaturation, "oxygen-saturation", ["59408-5"]);

    public const string PulseOximetryCode = "59408-5";
    public const string PulseOximetryDisplay = "Oxygen saturation in Arterial blood by Pulse oximetry";

    public static readonly VitalSignCode Temperature = new(
        CheckInFields.Temperature, "8310-5", "Body temperature", "Cel", "C", Profiles.BodyTemperature, "temperature", []);

    public static readonly VitalSignCode SystolicBp = new(
        CheckInFields.SystolicBp, "8480-6", "Systolic blood pressure", "mm[Hg]", "mmHg", Profiles.BloodPressure, "blood-pressure", []);

    public static readonly VitalSignCode DiastolicBp = new(
        CheckInFields.DiastolicBp, "8462-4", "Diastolic blood pressure", "mm[Hg]", "mmHg", Profiles.BloodPressure, "blood-pressure", []);

    /// <summary>The panel that holds systolic and diastolic as components.</summary>
    public const string BloodPressurePanelCode = "85354-9";
    public const string BloodPressurePanelDisplay = "Blood pressure panel with all children optional";

    /// <summary>The vital signs that are one Observation each, with a single valueQuantity.</summary>
    public static readonly IReadOnlyList<VitalSignCode> Single = [HeartRate, RespiratoryRate, OxygenSaturation, Temperature];

    public static readonly IReadOnlyList<VitalSignCode> BloodPressureComponents = [SystolicBp, DiastolicBp];
}

/// <summary>HealthFlow's local codes (<see cref="CodeSystems.HealthFlow"/>) and their slugs.</summary>
public static class CheckInCodes
{
    public const string SymptomScore = "symptom-score";
    public const string News2Total = "news2-total";
    public const string Consciousness = "consciousness";
    public const string SupplementalOxygen = "supplemental-oxygen";

    public const string SymptomScoreDisplay = "Patient-reported symptom score (1-10)";
    public const string News2TotalDisplay = "National Early Warning Score 2 (NEWS2) total score";
    public const string ConsciousnessDisplay = "Level of consciousness (ACVPU)";
    public const string SupplementalOxygenDisplay = "On supplemental oxygen";

    public static readonly IReadOnlyDictionary<Consciousness, (string Code, string Display)> Acvpu =
        new Dictionary<Consciousness, (string, string)>
        {
            [Domain.Events.Consciousness.Alert] = ("A", "Alert"),
            [Domain.Events.Consciousness.Confusion] = ("C", "New confusion"),
            [Domain.Events.Consciousness.Voice] = ("V", "Responds to voice"),
            [Domain.Events.Consciousness.Pain] = ("P", "Responds to pain"),
            [Domain.Events.Consciousness.Unresponsive] = ("U", "Unresponsive"),
        };
}

/// <summary>The media type of FHIR's JSON format.</summary>
public static class FhirMediaTypes
{
    public const string Json = "application/fhir+json";
}
