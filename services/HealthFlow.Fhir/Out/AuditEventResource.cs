using HealthFlow.ReadModels;
using Hl7.Fhir.Model;

namespace HealthFlow.Fhir.Out;

/// <summary>One audit record as a FHIR AuditEvent: a RESTful read (or a refused one) of a patient's data.</summary>
public static class AuditEventResource
{
    private const string AuditEventType = "http://terminology.hl7.org/CodeSystem/audit-event-type";
    private const string Usernames = "http://healthflow.example.org/fhir/NamingSystem/username";

    public static AuditEvent From(AuditRecordView record)
    {
        var agent = new AuditEvent.AgentComponent
        {
            Who = new ResourceReference { Identifier = new Identifier(Usernames, record.Actor), Display = record.Actor },
            Requestor = true,
            Role = [new CodeableConcept { Text = record.ActorRole }],
        };
        if (record.ClientAddress is { } address)
        {
            agent.Network = new AuditEvent.NetworkComponent { Address = address, Type = AuditEvent.AuditEventAgentNetworkType.N2 };
        }

        var audit = new AuditEvent
        {
            Id = record.RecordId.ToString("D"),
            Type = new Coding(AuditEventType, "rest", "RESTful Operation"),
            Action = AuditEvent.AuditEventAction.R,
            Recorded = record.AccessedAt,
            Outcome = record.Outcome == "allowed" ? AuditEvent.AuditEventOutcome.N0 : AuditEvent.AuditEventOutcome.N4,
            OutcomeDesc = record.Outcome,
            Agent = [agent],
            Source = new AuditEvent.SourceComponent { Observer = new ResourceReference { Display = "HealthFlow" } },
        };
        if (record.PatientId is { } patient)
        {
            audit.Entity.Add(new AuditEvent.EntityComponent { What = new ResourceReference($"Patient/{patient:D}"), Description = record.Action });
        }

        return audit;
    }
}
