using System.Diagnostics;
using System.Net;
using HealthFlow.EndToEnd.Tests.Faults;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// The system with two replicas of every service (`--replicas 2 --ReplaceExitedTasks true`): the gateway's one
/// destination per service reaches both, and a replica that dies is replaced without a test starting it.
/// </summary>
[Collection(ReplicatedAppHostCollection.Name)]
public sealed class ReplicatedSystemTests(ReplicatedAppHostFixture system) : IDisposable
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());

    [Fact]
    public async Task Check_ins_through_the_gateway_are_served_by_both_command_api_replicas()
    {
        var patient = await _api.RegisterPatientAsync();
        var traceIds = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var traceId = ActivityTraceId.CreateRandom();
            var response = await _api.SubmitCheckInAsync(patient, new { score = 1 }, traceparent: $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            traceIds.Add(traceId.ToHexString());
        }

        // Each request's command-api spans carry the serving replica's instance id (its resource id's suffix).
        using var dashboard = DashboardTelemetry.Client(system);
        var servedBy = await Eventually.GetAsync(async () =>
        {
            var instances = new List<string>();
            foreach (var traceId in traceIds)
            {
                var spans = await DashboardTelemetry.TraceAsync(dashboard, traceId);
                if (spans.FirstOrDefault(s => s.Service == "command-api") is not { } span)
                {
                    return null;
                }

                instances.Add(span.Instance);
            }

            return instances;
        }, "command-api's spans of every check-in", TimeSpan.FromSeconds(60));

        var replicas = system.Replicas("command-api").Select(r => r.ResourceId["command-api-".Length..]).Order().ToList();
        Assert.Equal(replicas, servedBy.Distinct().Order().ToList());
    }

    [Fact]
    public async Task A_replica_killed_with_SIGKILL_is_replaced_and_serves_again()
    {
        var victim = system.Replicas("query-api")[0];

        await ResourceControl.KillProcessAsync(victim.ProcessId);
        var replacement = await system.WaitReplacedAsync(victim);

        Assert.NotEqual(victim.ProcessId, replacement.ProcessId);
        Assert.Equal(ReplicatedAppHostFixture.Count, system.Replicas("query-api").Count);
        var clinician = await _api.LoginClinicianAsync();
        using var direct = ReplicatedAppHostFixture.CreateReplicaClient(replacement);
        var worklist = await new HealthFlowApi(direct).GetAsync(clinician, "/api/worklist");
        Assert.Equal(HttpStatusCode.OK, worklist.StatusCode);
    }

    public void Dispose() => _api.Http.Dispose();
}
