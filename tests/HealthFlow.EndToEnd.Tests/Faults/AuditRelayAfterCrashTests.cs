using System.Net;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// A query-api process answers reads, their audit records durable in its group commits, and is killed before
/// it could publish them: the outbox relay of a surviving API that writes `audit-` streams (the AppHost's
/// query-api or command-api) publishes them, so the trail still holds one record per read. With every such relay
/// switched off, the records never arrive.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class AuditRelayAfterCrashTests(AppHostFixture system)
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());

    [Fact]
    public async Task Audit_records_of_reads_answered_by_a_query_api_killed_before_publishing_reach_the_trail_once_each()
    {
        var clinic = await CareTeamClinic.CreateAsync(_api);
        var ward = clinic.A;
        using var eventBridge = new SilentEndpoint();
        await using var doomed = await ServiceProcess.StartQueryApiAsync(new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL"] = system.AwsEndpointUrl.GetLeftPart(UriPartial.Authority),
            // Its publishes go nowhere: the records stay in the outbox when it dies.
            ["AWS_ENDPOINT_URL_EVENTBRIDGE"] = eventBridge.Url.ToString(),
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ACCESS_KEY_ID"] = "query-api",
            ["AWS_SECRET_ACCESS_KEY"] = "local",
            ["Jwt__JwksUrl"] = $"{system.App.GetEndpoint("auth-api", "http").GetLeftPart(UriPartial.Authority)}/.well-known/jwks.json",
            // Only the surviving query-api may relay; this one must not get the chance.
            ["HealthFlow__Outbox__RelayEnabled"] = "false",
            ["HealthFlow__EventStore__PublishTimeout"] = "00:05:00",
        });

        using var direct = new HttpClient { BaseAddress = doomed.Url, Timeout = TimeSpan.FromSeconds(30) };
        var reader = new HealthFlowApi(direct);
        var reads = new List<string>();
        foreach (var path in new[] { $"/api/patients/{ward.Patient.PatientId}", $"/api/patients/{ward.Patient.PatientId}/observations", $"/fhir/r4/Patient/{ward.Patient.PatientId}" })
        {
            var correlationId = "crash-" + Guid.NewGuid().ToString("N");
            using var response = await reader.SendAsync(ward.Clinician, HttpMethod.Get, path, null, correlationId);
            // Answered with the data: its record was durable before the response was written.
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            reads.Add(correlationId);
        }

        await eventBridge.FirstRequest.WaitAsync(TimeSpan.FromSeconds(60));
        doomed.Kill();

        IReadOnlyList<JsonObject> trail = [];
        await Eventually.UntilAsync(async () =>
        {
            var page = await _api.GetJsonAsync(clinic.Admin, $"/api/audit?actor={ward.Clinician.Username}&limit=100");
            trail = [.. page["items"]!.AsArray().Select(i => i!.AsObject()).Where(r => reads.Contains(r["correlationId"]?.GetValue<string>() ?? ""))];
            return trail.Select(r => r["correlationId"]!.GetValue<string>()).Distinct().Count() == reads.Count;
        }, "the relay to publish the records the killed query-api had stored", TimeSpan.FromSeconds(90));

        var page = await _api.GetJsonAsync(clinic.Admin, $"/api/audit?actor={ward.Clinician.Username}&limit=100");
        var records = page["items"]!.AsArray().Select(i => i!.AsObject()).Where(r => reads.Contains(r["correlationId"]?.GetValue<string>() ?? "")).ToList();
        Assert.Equal(reads.Order(), records.Select(r => r["correlationId"]!.GetValue<string>()).Order());
        AssertNonEmpty.All(records, record => Assert.Equal(("allowed", ward.Patient.PatientId.ToString()),
            (record["outcome"]!.GetValue<string>(), record["patientId"]!.GetValue<string>())));
    }
}
