using Amazon.DynamoDBv2;
using Amazon.SQS;
using HealthFlow.Domain.Alerts;
using HealthFlow.EventStore;
using HealthFlow.EndToEnd.Tests.Faults;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HealthFlow.EndToEnd.Tests.Chaos;

/// <summary>
/// A short `healthflow chaos` run inside the suite: two replicas of every service, exited ones replaced, a fixed seed,
/// at least three replicas killed beside the cloud faults, and the fixture's short escalation policy so escalation
/// runs many times. The checker must find nothing; the report goes under HEALTHFLOW_TEST_ARTIFACTS when set.
/// </summary>
[Collection(ReplicatedAppHostCollection.Name)]
public sealed class ChaosRunTests(ReplicatedAppHostFixture system, ITestOutputHelper output)
{
    private const int Seed = 20261208;
    private const int Kills = 3;

    [Fact]
    public async Task A_short_chaos_run_with_three_replica_kills_and_cloud_faults_keeps_every_invariant()
    {
        var artifacts = Environment.GetEnvironmentVariable("HEALTHFLOW_TEST_ARTIFACTS") is { Length: > 0 } root
            ? Path.Combine(root, "chaos")
            : Path.Combine(Path.GetTempPath(), $"healthflow-chaos-{Guid.NewGuid():N}");
        var settings = new ChaosSettings(
            system.GatewayUrl,
            system.AwsEndpointUrl,
            Duration: TimeSpan.FromSeconds(75),
            Rate: 6,
            Seed,
            Patients: 8,
            FaultKinds.All,
            FaultInterval: TimeSpan.FromSeconds(8),
            new EscalationPolicy { HighAfter = AppHostFixture.HighEscalatesAfter, MediumAfter = AppHostFixture.MediumEscalatesAfter },
            artifacts) { MinimumKills = Kills };
        using var store = new SystemEventStore(system.AwsEndpointUrl);
        var runner = new ChaosRunner(settings, store.Services.GetRequiredService<IEventStore>(), store.Services.GetRequiredService<IAmazonDynamoDB>(),
            store.Services.GetRequiredService<IAmazonSQS>(), output.WriteLine);

        var report = await runner.RunAsync($"{nameof(ChaosRunTests)} seed {Seed}", CancellationToken.None);

        await report.WriteAsync(artifacts, CancellationToken.None);
        output.WriteLine(report.Summary());
        Assert.True(report.Faults.Count(f => f.Kind == FaultKinds.Kill && f.Healed is not null) >= Kills, report.ToMarkdown());
        Assert.True(report.Workload.CheckInsAccepted > 0 && report.Workload.AcknowledgementsAccepted > 0 && report.Workload.ReadsAnswered > 0, report.Summary());
        Assert.True(report.Passed, report.ToMarkdown());
    }
}
