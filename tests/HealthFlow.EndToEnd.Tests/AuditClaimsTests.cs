using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using HealthFlow.AppHost;
using HealthFlow.EndToEnd.Tests.Faults;
using HealthFlow.Topology;
using Microsoft.Extensions.Configuration;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// What the README promises of the audit trail beyond one record per call: it fails closed, it names the
/// caller's address, and a response that carries several patients leaves one record for each.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class AuditClaimsTests(AppHostFixture system) : IDisposable
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly HttpClient _localAws = new() { BaseAddress = system.AwsEndpointUrl };

    [Fact]
    public async Task A_read_whose_audit_record_cannot_be_stored_in_time_gets_a_503_problem_and_none_of_the_data()
    {
        var patient = await _api.RegisterPatientAsync("Withheld " + Guid.NewGuid().ToString("N")[..8]);
        var clinician = await _api.LoginClinicianAsync();
        var path = $"/api/patients/{patient.PatientId}";
        await Eventually.UntilAsync(async () => (await _api.GetAsync(clinician, path)).IsSuccessStatusCode, "the patient to be readable");

        // Every write to the event store is held (longer than Audit:MaxWaitMilliseconds, 5 s), so no group commit can
        // become durable while the read waits for its record.
        (await _localAws.PutAsJsonAsync("/_localaws/faults", new
        {
            lateWriteTable = HealthFlowTopology.Tables.Events.Name,
            lateWriteCount = 1_000,
            lateWriteMaxDelayMs = 60_000,
        })).EnsureSuccessStatusCode();
        HttpResponseMessage withheld;
        string body;
        try
        {
            withheld = await _api.GetAsync(clinician, path);
            body = await withheld.Content.ReadAsStringAsync();
        }
        finally
        {
            (await _localAws.DeleteAsync("/_localaws/faults")).EnsureSuccessStatusCode();
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, withheld.StatusCode);
        Assert.Equal("application/problem+json", withheld.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(patient.DisplayName, body, StringComparison.Ordinal);
        Assert.DoesNotContain(patient.Username, body, StringComparison.Ordinal);
        Assert.Equal("Audit trail unavailable", JsonNode.Parse(body)!["title"]!.GetValue<string>());

        // Once the store takes writes again, the same read answers with the data.
        var read = await _api.GetJsonAsync(clinician, path);
        Assert.Equal(patient.DisplayName, read["displayName"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_audit_record_names_the_callers_address_through_the_gateway_and_the_socket_address_without_one()
    {
        var clinic = await CareTeamClinic.CreateAsync(_api);
        var ward = clinic.A;
        var path = $"/api/patients/{ward.Patient.PatientId}";
        // A query-api and a gateway of their own, with the settings the AppHost gives them: the AppHost's endpoints sit
        // behind Aspire's proxy, which would make every caller 127.0.0.1.
        var authApi = system.App.GetEndpoint("auth-api", "http").GetLeftPart(UriPartial.Authority);
        var queryApiSettings = new Dictionary<string, string>(LocalServiceSettings.For("query-api", new ConfigurationBuilder().Build()))
        {
            ["AWS_ENDPOINT_URL"] = system.AwsEndpointUrl.GetLeftPart(UriPartial.Authority),
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ACCESS_KEY_ID"] = "query-api",
            ["AWS_SECRET_ACCESS_KEY"] = "local",
            ["Jwt__JwksUrl"] = $"{authApi}/.well-known/jwks.json",
            ["HealthFlow__Outbox__RelayEnabled"] = "false",
        };
        await using var queryApi = await ServiceProcess.StartQueryApiAsync(queryApiSettings);
        await using var gateway = await ServiceProcess.StartGatewayAsync(new Dictionary<string, string>
        {
            ["services__query-api__http__0"] = queryApi.Url.ToString(),
            ["services__auth-api__http__0"] = authApi,
            ["services__command-api__http__0"] = system.App.GetEndpoint("command-api", "http").GetLeftPart(UriPartial.Authority),
        });

        // Loopback addresses other than 127.0.0.1, so the caller's address differs from the gateway's own.
        using var throughGateway = ClientFrom(IPAddress.Parse("127.0.0.2"), gateway.Url);
        var viaGateway = await ReadAsync(throughGateway, ward.Clinician, path, spoofedForwardedFor: "198.51.100.9");
        using var direct = ClientFrom(IPAddress.Parse("127.0.0.3"), queryApi.Url);
        var viaSocket = await ReadAsync(direct, ward.Clinician, path, spoofedForwardedFor: null);

        var gatewayRecord = Assert.Single(await RecordsOfAsync(clinic, ward.Clinician.Username, viaGateway));
        Assert.Equal("127.0.0.2", gatewayRecord["clientAddress"]?.GetValue<string>());
        var socketRecord = Assert.Single(await RecordsOfAsync(clinic, ward.Clinician.Username, viaSocket));
        Assert.Equal("127.0.0.3", socketRecord["clientAddress"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_list_carrying_three_patients_leaves_exactly_one_record_for_each_of_them()
    {
        var admin = await _api.LoginAdminAsync();
        var team = await CareTeamClinic.CreateTeamAsync(_api, admin, "Ward of three " + Guid.NewGuid().ToString("N")[..6]);
        var clinician = await CareTeamClinic.CreateClinicianAsync(_api, admin);
        Assert.Equal(HttpStatusCode.NoContent, (await _api.PostAsync(admin, $"/api/care-teams/{team}/clinicians", new { clinicianId = clinician.Username })).StatusCode);
        var patients = new List<HealthFlowApi.Session>();
        for (var i = 0; i < 3; i++)
        {
            var patient = await _api.RegisterPatientAsync($"Bed {i} " + Guid.NewGuid().ToString("N")[..6]);
            Assert.Equal(HttpStatusCode.NoContent, (await _api.PostAsync(admin, $"/api/care-teams/{team}/patients", new { patientId = patient.PatientId })).StatusCode);
            await _api.CheckInAsync(patient, new { score = 10 });
            patients.Add(patient);
        }

        var expected = patients.Select(p => p.PatientId!.Value.ToString()).Order().ToList();
        foreach (var list in new[] { "/api/patients?limit=50", "/api/alerts?status=all&limit=50" })
        {
            await Eventually.UntilAsync(async () => PatientsIn(await _api.GetJsonAsync(clinician, list)).SequenceEqual(expected),
                $"{list} to carry the three patients", TimeSpan.FromSeconds(30));
            var correlationId = "several-" + Guid.NewGuid().ToString("N");
            var response = await _api.SendAsync(clinician, HttpMethod.Get, list, null, correlationId);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var carried = (await response.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
            Assert.Equal(expected, PatientsIn(new JsonObject { ["items"] = new JsonArray([.. carried.Select(c => c.DeepClone())]) }));

            var records = await RecordsOfAsync(admin, clinician.Username, correlationId, expected.Count);
            Assert.Equal(expected, records.Select(r => r["patientId"]!.GetValue<string>()).Order().ToList());
            AssertNonEmpty.All(records, record =>
            {
                var patient = record["patientId"]!.GetValue<string>();
                var ids = carried.Where(c => c["patientId"]!.GetValue<string>() == patient)
                    .Select(c => (c["alertId"] ?? c["patientId"])!.GetValue<string>()).Order();
                Assert.Equal(("allowed", string.Join(",", ids)),
                    (record["outcome"]!.GetValue<string>(), string.Join(",", record["resourceIds"]!.AsArray().Select(i => i!.GetValue<string>()).Order())));
            });
        }
    }

    private static List<string> PatientsIn(JsonObject page) =>
        [.. page["items"]!.AsArray().Select(i => i!["patientId"]!.GetValue<string>()).Distinct().Order()];

    /// <summary>A client whose connections leave from <paramref name="local"/>, as a caller elsewhere on the network would.</summary>
    private static HttpClient ClientFrom(IPAddress local, Uri baseAddress) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<string> ReadAsync(HttpClient client, HealthFlowApi.Session session, string path, string? spoofedForwardedFor)
    {
        var correlationId = "address-" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", session.AccessToken);
        request.Headers.Add("X-Correlation-Id", correlationId);
        if (spoofedForwardedFor is not null)
        {
            // A client cannot choose the address its record names: the gateway sets the hop it saw.
            request.Headers.Add("X-Forwarded-For", spoofedForwardedFor);
        }

        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return correlationId;
    }

    private Task<IReadOnlyList<JsonObject>> RecordsOfAsync(CareTeamClinic clinic, string actor, string correlationId) =>
        RecordsOfAsync(clinic.Admin, actor, correlationId, 1);

    /// <summary>A call's records once <paramref name="atLeast"/> are in, read again so that one more would be seen.</summary>
    private async Task<IReadOnlyList<JsonObject>> RecordsOfAsync(HealthFlowApi.Session admin, string actor, string correlationId, int atLeast)
    {
        async Task<List<JsonObject>> ReadAsync() =>
            [.. (await _api.GetJsonAsync(admin, $"/api/audit?actor={actor}&limit=100"))["items"]!.AsArray()
                .Select(i => i!.AsObject()).Where(r => r["correlationId"]?.GetValue<string>() == correlationId)];
        await Eventually.UntilAsync(async () => (await ReadAsync()).Count >= atLeast, $"the audit records of {correlationId}", TimeSpan.FromSeconds(30));
        return await ReadAsync();
    }

    public void Dispose() => _localAws.Dispose();
}
