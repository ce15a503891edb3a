using System.Net;
using System.Text.Json.Nodes;
using HealthFlow.EndToEnd.Tests.Faults;

namespace HealthFlow.EndToEnd.Tests.Fhir;

/// <summary>
/// `$everything` carries up to 1,000 check-ins; beyond, an informational OperationOutcome entry says so rather
/// than the Bundle silently leaving the older ones out.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class EverythingCapTests(AppHostFixture system) : IDisposable
{
    private const int Cap = 1_000;
    private const int CheckIns = Cap + 1;

    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly SystemEventStore _store = new(system.AwsEndpointUrl);

    [Fact]
    public async Task Everything_of_a_patient_with_more_check_ins_than_the_cap_carries_the_newest_1000_and_an_outcome_saying_so()
    {
        var patient = await _api.RegisterPatientAsync("Past the cap");
        var patientId = patient.PatientId!.Value;
        var clinician = await _api.LoginClinicianAsync();
        var checkIns = await _store.SeedCheckInsAsync(patientId, CheckIns, TimeSpan.FromSeconds(180));

        using var http = new HttpClient { BaseAddress = system.GatewayUrl, Timeout = TimeSpan.FromMinutes(3) };
        var response = await new HealthFlowApi(http).GetAsync(clinician, $"/fhir/r4/Patient/{patientId}/$everything");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bundle = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var entries = bundle["entry"]!.AsArray().Select(e => e!.AsObject()).ToList();

        var carried = entries.Select(e => e["resource"]!.AsObject())
            .Where(r => r["resourceType"]!.GetValue<string>() == "Observation")
            .Select(r => Guid.Parse(r["id"]!.GetValue<string>()[..36]))
            .ToHashSet();
        Assert.Equal(Cap, carried.Count);
        Assert.Equal(checkIns.Skip(1).ToHashSet(), carried);
        Assert.DoesNotContain(checkIns[0], carried);

        var outcome = Assert.Single(entries, e => e["resource"]!["resourceType"]!.GetValue<string>() == "OperationOutcome");
        Assert.Equal("outcome", outcome["search"]!["mode"]!.GetValue<string>());
        var issue = outcome["resource"]!["issue"]!.AsArray()[0]!;
        Assert.Equal("information", issue["severity"]!.GetValue<string>());
        Assert.Contains("1000", issue["diagnostics"]?.GetValue<string>() ?? issue["details"]?["text"]?.GetValue<string>() ?? "", StringComparison.Ordinal);
        Assert.Equal(entries.Count(e => e["search"]?["mode"]?.GetValue<string>() == "match"), bundle["total"]!.GetValue<int>());
    }

    /// <summary>The check-ins, oldest first, straight into the event store as command-api would append them, then projected.</summary>
    public void Dispose() => _store.Dispose();
}
