using System.Text.Json.Nodes;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// The negative controls of <see cref="AuditCompleteness"/>: a response that carries a patient the call's audit
/// records do not name fails it, in the JSON API's shape and in FHIR's. No AppHost: the responses are written out here.
/// </summary>
public sealed class AuditCompletenessTests
{
    private static readonly Guid Recorded = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
    private static readonly Guid Forgotten = Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7");

    [Fact]
    public void A_list_carrying_a_patient_without_a_record_fails()
    {
        var response = $$$"""{"items":[{"alertId":"{{{Guid.NewGuid()}}}","patientId":"{{{Recorded}}}"},{"alertId":"{{{Guid.NewGuid()}}}","patientId":"{{{Forgotten}}}"}],"nextCursor":null}""";

        Assert.Equal([Forgotten], AuditCompleteness.Unrecorded(response, [Record("allowed", Recorded)]));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AuditCompleteness.AssertComplete("GET /api/alerts", response, [Record("allowed", Recorded)]));
    }

    [Fact]
    public void A_FHIR_bundle_referencing_a_patient_without_a_record_fails()
    {
        var response = $$$$"""
            {"resourceType":"Bundle","entry":[
              {"fullUrl":"https://example.org/fhir/r4/Patient/{{{{Recorded}}}}","resource":{"resourceType":"Patient","id":"{{{{Recorded}}}}"}},
              {"resource":{"resourceType":"Observation","id":"x","subject":{"reference":"Patient/{{{{Forgotten}}}}"}}}]}
            """;

        Assert.Equal([Forgotten], AuditCompleteness.Unrecorded(response, [Record("allowed", Recorded)]));
    }

    [Fact]
    public void A_denied_record_does_not_stand_for_the_patient_a_response_carried()
    {
        var response = $$$"""{"patientId":"{{{Forgotten}}}","displayName":"B"}""";

        Assert.Equal([Forgotten], AuditCompleteness.Unrecorded(response, [Record("denied", Forgotten)]));
    }

    [Fact]
    public void A_response_whose_every_patient_has_a_record_passes()
    {
        var response = $$$"""{"items":[{"patientId":"{{{Recorded}}}"},{"subject":{"reference":"Patient/{{{Forgotten}}}"}}]}""";

        Assert.Equal(new HashSet<Guid> { Recorded, Forgotten }, AuditCompleteness.PatientsCarriedBy(response));
        AuditCompleteness.AssertComplete("GET /api/alerts", response, [Record("allowed", Recorded), Record("allowed", Forgotten)]);
    }

    private static JsonObject Record(string outcome, Guid patientId) => new()
    {
        ["outcome"] = outcome,
        ["patientId"] = patientId.ToString(),
        ["correlationId"] = "audit-control",
    };
}
