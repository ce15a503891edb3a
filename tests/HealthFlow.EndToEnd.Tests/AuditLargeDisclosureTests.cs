using System.Net;
using System.Text.Json.Nodes;
using HealthFlow.EndToEnd.Tests.Faults;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// A disclosure too large to list id by id (a long-monitored patient's $everything) is still recorded, and
/// does not take the audit trail down for everyone else.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class AuditLargeDisclosureTests(AppHostFixture system) : IDisposable
{
    private const int CheckIns = 900;

    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly SystemEventStore _store = new(system.AwsEndpointUrl);

    [Fact]
    public async Task Six_concurrent_everything_reads_of_a_patient_with_900_check_ins_all_answer_and_each_leaves_a_record()
    {
        var patient = await _api.RegisterPatientAsync("Long-monitored patient");
        var patientId = patient.PatientId!.Value;
        var clinician = await _api.LoginClinicianAsync();
        await _store.SeedCheckInsAsync(patientId, CheckIns, TimeSpan.FromSeconds(120));

        // Large bundles: give each read more time than the gateway client's default.
        using var http = new HttpClient { BaseAddress = system.GatewayUrl, Timeout = TimeSpan.FromMinutes(3) };
        var reader = new HealthFlowApi(http);
        var reads = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            var correlationId = "everything-" + Guid.NewGuid().ToString("N");
            using var response = await reader.SendAsync(clinician, HttpMethod.Get, $"/fhir/r4/Patient/{patientId}/$everything", null, correlationId);
            var body = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, CorrelationId: correlationId, Entries: response.IsSuccessStatusCode ? JsonNode.Parse(body)!["entry"]!.AsArray().Count : 0);
        }));

        AssertNonEmpty.All(reads, read => Assert.Equal(HttpStatusCode.OK, read.StatusCode));
        AssertNonEmpty.All(reads, read => Assert.True(read.Entries > CheckIns, $"the bundle carries every check-in ({read.Entries} entries)"));

        var admin = await _api.LoginAdminAsync();
        var expected = reads.Select(r => r.CorrelationId).ToHashSet();
        IReadOnlyList<JsonObject> trail = [];
        await Eventually.UntilAsync(async () =>
        {
            var page = await _api.GetJsonAsync(admin, $"/api/audit?patientId={patientId}&actor={clinician.Username}&limit=100");
            trail = [.. page["items"]!.AsArray().Select(i => i!.AsObject()).Where(r => expected.Contains(r["correlationId"]?.GetValue<string>() ?? ""))];
            return trail.Count >= expected.Count;
        }, "an audit record of every $everything read", TimeSpan.FromSeconds(60));

        Assert.Equal(expected.Count, trail.Count);
        var record = trail[0];
        // Too many ids to list them all: the record keeps what an auditor needs, and the ids that fit.
        Assert.Equal(("allowed", $"GET /fhir/r4/Patient/{{patientId}}/$everything"),
            (record["outcome"]!.GetValue<string>(), record["action"]!.GetValue<string>()));
        Assert.Equal(reads[0].Entries, record["count"]!.GetValue<int>());
        Assert.Equal($"/fhir/r4/Patient/{patientId}/$everything", record["query"]!.GetValue<string>());
        Assert.Equal(1, record["resourceTypes"]!["Patient"]!.GetValue<int>());
        Assert.True(record["resourceTypes"]!["Observation"]!.GetValue<int>() >= CheckIns);
        var listed = record["resourceIds"]!.AsArray().Count;
        Assert.True(listed > 0, "the ids that fit are listed");
        Assert.Equal(record["count"]!.GetValue<int>() - listed, record["resourceIdsOmitted"]!.GetValue<int>());
    }

    /// <summary>The check-ins go straight into the event store (as command-api would append them), in parallel.</summary>
    public void Dispose() => _store.Dispose();
}
