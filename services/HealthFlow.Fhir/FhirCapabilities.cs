using Hl7.Fhir.Model;

namespace HealthFlow.Fhir;

/// <summary>What HealthFlow's FHIR R4 endpoint does: the CapabilityStatement served at <c>metadata</c>.</summary>
public static class FhirCapabilities
{
    public const string BasePath = "/fhir/r4";

    /// <summary>Check-ins per page of an Observation search (each check-in is several Observations), and alerts per page of a Flag search.</summary>
    public const int DefaultCount = 20;
    public const int MaxCount = 100;

    public const string PatientParameter = "patient";
    public const string CountParameter = "_count";
    public const string SortParameter = "_sort";
    public const string CursorParameter = "cursor";
    public const string NewestFirst = "-date";

    public static CapabilityStatement Statement(DateTimeOffset date) => new()
    {
        Url = "http://healthflow.example.org/fhir/CapabilityStatement/healthflow",
        Name = "HealthFlow",
        Title = "HealthFlow remote patient monitoring: FHIR R4",
        Status = PublicationStatus.Active,
        Experimental = false,
        DateElement = new FhirDateTime(date),
        Publisher = "HealthFlow",
        Kind = CapabilityStatementKind.Instance,
        Software = new CapabilityStatement.SoftwareComponent { Name = "HealthFlow" },
        Implementation = new CapabilityStatement.ImplementationComponent { Description = "HealthFlow FHIR R4 API" },
        FhirVersion = FHIRVersion.N4_0_1,
        Format = [FhirMediaTypes.Json],
        Rest =
        [
            new CapabilityStatement.RestComponent
            {
                Mode = CapabilityStatement.RestfulCapabilityMode.Server,
                Documentation = "Bearer tokens from POST /api/auth/login. A patient reads and submits only their own data; a clinician reads any patient's.",
                Security = new CapabilityStatement.SecurityComponent
                {
                    Description = "OAuth-style bearer JWT (Authorization: Bearer ...), issued by /api/auth/login.",
                },
                Interaction = [new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.Transaction }],
                Resource =
                [
                    new CapabilityStatement.ResourceComponent
                    {
                        Type = "Patient",
                        Interaction = [Read()],
                        Operation =
                        [
                            new CapabilityStatement.OperationComponent
                            {
                                Name = "everything",
                                Definition = "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                                Documentation = "The patient, their monitoring plan (CarePlan and Goals), every check-in's Observations and every alert's Flag, as one Bundle.",
                            },
                        ],
                    },
                    new CapabilityStatement.ResourceComponent
                    {
                        Type = "Observation",
                        SupportedProfile = [Profiles.VitalSigns, Profiles.HeartRate, Profiles.RespiratoryRate, Profiles.OxygenSaturation, Profiles.BodyTemperature, Profiles.BloodPressure],
                        Interaction = [Read(), SearchType(), Create()],
                        ConditionalCreate = true,
                        SearchParam = [PatientSearch(), CountSearch("Check-ins per page (each is one or more Observations)")],
                        Documentation = "Created Observations become one check-in; the id of a reading is {checkInId}-{kind}. Searches are newest first (_sort=-date).",
                    },
                    new CapabilityStatement.ResourceComponent
                    {
                        Type = "Flag",
                        Interaction = [SearchType()],
                        SearchParam = [PatientSearch(), CountSearch("Alerts per page")],
                        Documentation = "HealthFlow alerts: active while open, inactive once acknowledged.",
                    },
                    new CapabilityStatement.ResourceComponent
                    {
                        Type = "CarePlan",
                        Interaction = [SearchType()],
                        SearchParam = [PatientSearch()],
                        SearchInclude = ["CarePlan:goal"],
                        Documentation = "The patient's monitoring plan in force (meta.versionId is its version): the check-in schedule as an activity's scheduledTiming; its Goals (SpO2 target, personal bounds, symptom-score threshold) are always included.",
                    },
                ],
            },
        ],
    };

    private static CapabilityStatement.ResourceInteractionComponent Read() => new() { Code = CapabilityStatement.TypeRestfulInteraction.Read };

    private static CapabilityStatement.ResourceInteractionComponent SearchType() => new() { Code = CapabilityStatement.TypeRestfulInteraction.SearchType };

    private static CapabilityStatement.ResourceInteractionComponent Create() => new() { Code = CapabilityStatement.TypeRestfulInteraction.Create };

    private static CapabilityStatement.SearchParamComponent PatientSearch() => new()
    {
        Name = PatientParameter,
        Type = SearchParamType.Reference,
        Documentation = "Required: the patient, as an id or Patient/{id}.",
    };

    private static CapabilityStatement.SearchParamComponent CountSearch(string documentation) => new()
    {
        Name = CountParameter,
        Type = SearchParamType.Number,
        Documentation = $"{documentation}, 1 to {MaxCount}.",
    };
}
