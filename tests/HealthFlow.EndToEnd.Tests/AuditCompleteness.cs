using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// "Every patient a response carries has its audit record": the patients a response body names (a JSON
/// <c>patientId</c>, a FHIR <c>Patient/{id}</c> reference or a Patient resource) against the allowed records of that
/// one call. Used by the audit trail tests and by its negative control, <c>AuditCompletenessTests</c>.
/// </summary>
public static partial class AuditCompleteness
{
    public static IReadOnlySet<Guid> PatientsCarriedBy(string responseBody)
    {
        var patients = new HashSet<Guid>();
        if (string.IsNullOrWhiteSpace(responseBody))
        {
            return patients;
        }

        Collect(JsonNode.Parse(responseBody), patients);
        return patients;
    }

    /// <summary>Each patient the response carries that no allowed record of the call names.</summary>
    public static IReadOnlyList<Guid> Unrecorded(string responseBody, IEnumerable<JsonObject> recordsOfTheCall)
    {
        var recorded = recordsOfTheCall
            .Where(r => r["outcome"]?.GetValue<string>() == "allowed")
            .Select(r => Guid.TryParse(r["patientId"]?.GetValue<string>(), out var id) ? id : Guid.Empty)
            .ToHashSet();
        return [.. PatientsCarriedBy(responseBody).Where(p => !recorded.Contains(p)).Order()];
    }

    public static void AssertComplete(string action, string responseBody, IReadOnlyList<JsonObject> recordsOfTheCall)
    {
        var unrecorded = Unrecorded(responseBody, recordsOfTheCall);
        Assert.True(unrecorded.Count == 0,
            $"{action} carried patients {string.Join(", ", unrecorded)} without an audit record; its records: {string.Join("; ", recordsOfTheCall.Select(r => r.ToJsonString()))}");
    }

    private static void Collect(JsonNode? node, HashSet<Guid> patients)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["resourceType"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
                    && obj["resourceType"]!.GetValue<string>() == "Patient"
                    && Guid.TryParse(obj["id"]?.GetValue<string>(), out var resourceId))
                {
                    patients.Add(resourceId);
                }

                foreach (var (name, value) in obj)
                {
                    if (name == "patientId" && value?.GetValueKind() == System.Text.Json.JsonValueKind.String && Guid.TryParse(value.GetValue<string>(), out var patientId))
                    {
                        patients.Add(patientId);
                    }
                    else
                    {
                        Collect(value, patients);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Collect(item, patients);
                }

                break;
            case JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.String:
                if (PatientReference().Match(value.GetValue<string>()) is { Success: true } match)
                {
                    patients.Add(Guid.Parse(match.Groups["id"].Value));
                }

                break;
        }
    }

    // A reference ("Patient/{id}") or a full URL ending in one.
    [GeneratedRegex(@"(?:^|/)Patient/(?<id>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$")]
    private static partial Regex PatientReference();
}
