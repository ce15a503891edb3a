using Amazon.DynamoDBv2.Model;
using HealthFlow.Aws.Tests.Infrastructure;
using HealthFlow.Cli.Replay;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;
using HealthFlow.ReadModels;
using HealthFlow.Topology;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HealthFlow.Aws.Tests.Cli;

/// <summary>`healthflow replay` against LocalAws: read models rebuilt from the event store alone.</summary>
public sealed class ReplayTests(LocalAwsFixture aws) : IClassFixture<LocalAwsFixture>, IDisposable
{
    private readonly IHost _app = aws.CreateHost(b => b.Services.AddHealthFlowProjections());

    private IEventStore Store => _app.Services.GetRequiredService<IEventStore>();

    private ReadModelReplayer Replayer => ActivatorUtilities.CreateInstance<ReadModelReplayer>(_app.Services);

    private static EventMetadata Metadata() => EventMetadataFactory.FromCurrentActivity(Guid.NewGuid().ToString(), userId: "replay-tests");

    [Fact]
    public async Task Replay_rebuilds_a_lost_observations_table_from_the_event_store()
    {
        var submitted = new Dictionary<Guid, List<ObservationSubmitted>>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 6), async (p, _) =>
        {
            var (patientId, observations) = await RegisterWithObservationsAsync($"Patient {p}", count: 5);
            lock (submitted)
            {
                submitted[patientId] = observations;
            }
        });
        // A row no event ever produced, as a corrupted or hand-edited table would hold.
        var strayPatient = Guid.NewGuid();
        await aws.Dynamo.PutItemAsync(HealthFlowTopology.Tables.Observations.Name, new Dictionary<string, AttributeValue>
        {
            ["patientId"] = new() { S = strayPatient.ToString() },
            ["sk"] = new() { S = "2020-01-01T00:00:00.0000000Z#stray" },
            ["observationId"] = new() { S = Guid.NewGuid().ToString() },
        });

        var result = await ReplayAsync(ObservationProjectionName);

        var observations = _app.Services.GetRequiredService<ObservationReadModel>();
        foreach (var (patientId, expected) in submitted)
        {
            var page = await observations.ListAsync(patientId, null, null, 50, null, CancellationToken.None);
            Assert.Equal(expected.Select(o => o.ObservationId).Reverse(), page.Items.Select(o => o.ObservationId));
            Assert.Equal(expected.Select(o => o.Vitals.HeartRate).Reverse(), page.Items.Select(o => o.HeartRate));
        }

        Assert.Empty((await observations.ListAsync(strayPatient, null, null, 50, null, CancellationToken.None)).Items);
        Assert.True(result.ItemsDeleted >= 1);
        Assert.True(result.EventsProjected >= 30);
        Assert.Equal(result.EventsProjected, result.ItemsWritten);
    }

    [Fact]
    public async Task Replaying_all_restores_acknowledged_alerts_with_the_patients_name()
    {
        var (patientId, observations) = await RegisterWithObservationsAsync("Grace Hopper", count: 1);
        var alertId = Guid.NewGuid();
        var alert = StreamId.ForAlert(alertId);
        await Store.AppendAsync(alert, ExpectedVersion.NoStream,
            [new AlertRaised(alertId, patientId, observations[0].ObservationId, "high", "news2", ["Respiration 26/min scores 3"], null, 8, false, DateTimeOffset.UtcNow)],
            Metadata());
        await Store.AppendAsync(alert, 1, [new AlertAcknowledged(alertId, patientId, "clinician1", "called the patient", DateTimeOffset.UtcNow)], Metadata());

        foreach (var readModel in ReadModelTables.Resolve(ReadModelTables.All))
        {
            await Replayer.ReplayAsync(readModel, new ReplaySettings { Parallelism = 4 }, new ReplayProgress { ReadModel = readModel.ReadModel }, CancellationToken.None);
        }

        var replayed = await _app.Services.GetRequiredService<AlertReadModel>().GetAsync(alertId, CancellationToken.None);
        Assert.NotNull(replayed);
        Assert.Equal("Grace Hopper", replayed.PatientName);
        Assert.Equal(AlertStatuses.Acknowledged, replayed.Status);
        Assert.Equal("clinician1", replayed.AcknowledgedBy);
        Assert.Equal("called the patient", replayed.AcknowledgementNote);
        var patient = await _app.Services.GetRequiredService<PatientReadModel>().GetAsync(patientId, CancellationToken.None);
        Assert.Equal("Grace Hopper", patient?.DisplayName);
    }

    [Fact]
    public void Replay_knows_each_read_model_and_refuses_others()
    {
        Assert.Equal(["patients", "observations", "alerts", "care-teams", "all"], ReadModelTables.Names);
        Assert.Equal(["patients", "observations", "alerts", "care-teams"], ReadModelTables.Resolve("all").Select(t => t.ReadModel));
        Assert.Throws<ArgumentException>(() => ReadModelTables.Resolve("users"));
        Assert.Throws<ArgumentException>(() => ReadModelTables.Resolve("audit"));
    }

    private const string ObservationProjectionName = "observations";

    private Task<ReplayResult> ReplayAsync(string readModel) =>
        Replayer.ReplayAsync(
            ReadModelTables.Resolve(readModel).Single(),
            new ReplaySettings { Parallelism = 4, ConcurrentBatches = 2 },
            new ReplayProgress { ReadModel = readModel },
            CancellationToken.None);

    private async Task<(Guid PatientId, List<ObservationSubmitted> Observations)> RegisterWithObservationsAsync(string name, int count)
    {
        var patientId = Guid.NewGuid();
        var stream = StreamId.ForPatient(patientId);
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, [new PatientRegistered(patientId, $"u-{patientId:N}", name, DateTimeOffset.UtcNow)], Metadata());
        var observations = new List<ObservationSubmitted>();
        for (var i = 0; i < count; i++)
        {
            var measuredAt = DateTimeOffset.UtcNow.AddMinutes(i - count);
            var observation = new ObservationSubmitted(Guid.CreateVersion7(), patientId, new VitalSigns(HeartRate: 60 + i, OxygenSaturation: 97), measuredAt, DateTimeOffset.UtcNow, null);
            await Store.AppendAsync(stream, i + 1, [observation], Metadata());
            observations.Add(observation);
        }

        return (patientId, observations);
    }

    public void Dispose() => _app.Dispose();
}
