using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
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

    [Fact]
    public async Task A_replica_stopped_through_its_stop_command_stays_stopped_while_a_killed_one_is_replaced()
    {
        var commands = system.App.Services.GetRequiredService<ResourceCommandService>();
        var notifications = system.App.Services.GetRequiredService<ResourceNotificationService>();
        var (stopped, killed) = (system.Replicas("projections")[0], system.Replicas("projections")[1]);

        var stop = await commands.ExecuteCommandAsync(stopped.ResourceId, KnownResourceCommands.StopCommand);
        Assert.True(stop.Success, stop.Message);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            await notifications.WaitForResourceAsync(stopped.Service, e => e.ResourceId == stopped.ResourceId && IsEnded(e.Snapshot.State?.Text), timeout.Token);
        }

        // The replacement service handles changes in order: the kill after the stop is replaced, so the stop was seen.
        await ResourceControl.KillProcessAsync(killed.ProcessId);
        await system.WaitReplacedAsync(killed);

        try
        {
            Assert.True(notifications.TryGetCurrentState(stopped.ResourceId, out var state), $"{stopped.ResourceId} is gone");
            Assert.True(IsEnded(state.Snapshot.State?.Text), $"{stopped.ResourceId} was stopped and is now {state.Snapshot.State?.Text}");
        }
        finally
        {
            // The collection's later tests (and the chaos run) expect every replica.
            var start = await commands.ExecuteCommandAsync(stopped.ResourceId, KnownResourceCommands.StartCommand);
            Assert.True(start.Success, start.Message);
            await system.WaitReplacedAsync(stopped);
        }
    }

    private static bool IsEnded(string? state) => state == KnownResourceStates.Exited || state == KnownResourceStates.Finished;

    [Fact]
    public async Task Every_auth_api_replica_publishes_the_same_keys_and_every_api_replica_accepts_a_token_from_either()
    {
        var authReplicas = system.Replicas("auth-api");
        var jwks = new List<string>();
        foreach (var replica in authReplicas)
        {
            using var http = ReplicatedAppHostFixture.CreateReplicaClient(replica);
            jwks.Add(await http.GetStringAsync("/.well-known/jwks.json"));
        }

        Assert.Single(jwks.Distinct());

        // A patient registered through each auth-api replica, then served by each command-api and query-api replica.
        foreach (var authReplica in authReplicas)
        {
            using var auth = ReplicatedAppHostFixture.CreateReplicaClient(authReplica);
            var patient = await new HealthFlowApi(auth).RegisterPatientAsync();
            foreach (var commandReplica in system.Replicas("command-api"))
            {
                using var http = ReplicatedAppHostFixture.CreateReplicaClient(commandReplica);
                var checkIn = await new HealthFlowApi(http).SubmitCheckInAsync(patient, new { score = 1 });
                Assert.True(checkIn.StatusCode == HttpStatusCode.Accepted, $"{commandReplica.ResourceId} answered {(int)checkIn.StatusCode} to a token of {authReplica.ResourceId}");
            }

            foreach (var queryReplica in system.Replicas("query-api"))
            {
                using var http = ReplicatedAppHostFixture.CreateReplicaClient(queryReplica);
                var read = await new HealthFlowApi(http).GetAsync(patient, $"/api/patients/{patient.PatientId}/observations");
                Assert.True(read.StatusCode == HttpStatusCode.OK, $"{queryReplica.ResourceId} answered {(int)read.StatusCode} to a token of {authReplica.ResourceId}");
            }
        }
    }

    public void Dispose() => _api.Http.Dispose();
}
