using HealthFlow.ReadModels;
using Hl7.Fhir.Model;

namespace HealthFlow.Fhir.Out;

/// <summary>A HealthFlow patient as a FHIR Patient: the id, the display name, and the login as an identifier's display.</summary>
public static class PatientResource
{
    public static Patient From(PatientView patient) => new()
    {
        Id = patient.PatientId.ToString("D"),
        Identifier = [new Identifier(CodeSystems.PatientIdentifier, patient.PatientId.ToString("D"))],
        Active = true,
        Name = [new HumanName { Use = HumanName.NameUse.Usual, Text = patient.DisplayName }],
        Meta = new Meta { LastUpdated = patient.RegisteredAt },
    };
}
