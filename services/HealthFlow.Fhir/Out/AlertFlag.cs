using HealthFlow.Domain.Alerts;
using HealthFlow.ReadModels;
using Hl7.Fhir.Model;

namespace HealthFlow.Fhir.Out;

/// <summary>
/// An alert as a FHIR Flag. A Flag is a "heads-up" about a patient that is active until someone deals
/// with it, which is what an alert is: open maps to active, acknowledged to inactive, and the period
/// runs from raised to acknowledged. (RiskAssessment models a prediction and its basis, with a status
/// about the assessment's finality, not whether a clinician has seen it.) The rules that fired are the
/// codes, every reason is in the code's text, the severity is the core flag-priority extension, and
/// flag-detail points at the score Observation that supports it (a missed check-in has none, and no flag-detail).
/// </summary>
public static class AlertFlag
{
    public static Flag From(AlertView alert)
    {
        var reasons = string.Join("; ", alert.Reasons);
        var flag = new Flag
        {
            Id = alert.AlertId.ToString("D"),
            Status = alert.Status == AlertStatuses.Acknowledged ? Flag.FlagStatus.Inactive : Flag.FlagStatus.Active,
            Category = [new CodeableConcept(CodeSystems.FlagCategory, "clinical", "Clinical", "Clinical")],
            Code = new CodeableConcept
            {
                Coding = [.. alert.Rules.Select(rule => new Coding(CodeSystems.AlertRule, rule, RuleDisplay(rule)))],
                Text = $"{SeverityText(alert.Severity)} alert{(alert.Partial ? " (partial NEWS2)" : "")}: {reasons}",
            },
            Subject = new ResourceReference($"Patient/{alert.PatientId:D}", alert.PatientName),
            Period = new Period
            {
                StartElement = new FhirDateTime(alert.RaisedAt),
                EndElement = alert.AcknowledgedAt is { } at ? new FhirDateTime(at) : null,
            },
        };
        flag.Extension.Add(new Extension(Profiles.FlagPriorityExtension, new CodeableConcept(
            CodeSystems.FlagPriority, Priority(alert.Severity), PriorityDisplay(alert.Severity), SeverityText(alert.Severity))));
        // A missed check-in has no Observation to point at: its reason names the window instead.
        if (alert.ObservationId is { } observationId)
        {
            flag.Extension.Add(new Extension(Profiles.FlagDetailExtension, new ResourceReference(
                $"Observation/{CheckInObservations.IdFor(observationId, alert.Rule == AlertRules.News2 ? CheckInCodes.News2Total : CheckInCodes.SymptomScore)}")));
        }

        return flag;
    }

    private static string Priority(string severity) => severity switch
    {
        Severities.High => "PH",
        Severities.Medium => "PM",
        _ => "PL",
    };

    private static string PriorityDisplay(string severity) => severity switch
    {
        Severities.High => "High priority",
        Severities.Medium => "Medium priority",
        _ => "Low priority",
    };

    private static string SeverityText(string severity) => severity switch
    {
        Severities.High => "High",
        Severities.Medium => "Medium",
        Severities.LowMedium => "Low-medium",
        _ => severity,
    };

    private static string RuleDisplay(string rule) => rule switch
    {
        AlertRules.News2 => "NEWS2",
        AlertRules.ScoreThreshold => "Symptom score above threshold",
        AlertRules.PersonalThreshold => "Vital sign outside the patient's personal bounds",
        AlertRules.CheckInMissed => "Scheduled check-in missed",
        _ => rule,
    };
}
