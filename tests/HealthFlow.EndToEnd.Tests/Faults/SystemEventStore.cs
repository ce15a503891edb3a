using Amazon;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Amazon.SQS;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;
using HealthFlow.Messaging;
using HealthFlow.Provisioning;
using HealthFlow.Topology;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>The running system's event store, read directly: the ground truth a fault test checks the API against.</summary>
public sealed class SystemEventStore : IDisposable
{
    private readonly IHost _host;

    public SystemEventStore(Uri awsEndpoint)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "fault-tests" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["HealthFlow:Outbox:RelayEnabled"] = "false" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var aws = new AWSOptions { Region = RegionEndpoint.USEast1, Credentials = new BasicAWSCredentials("test", "test") };
        aws.DefaultClientConfig.ServiceURL = awsEndpoint.GetLeftPart(UriPartial.Authority);
        builder.Services.AddDefaultAWSOptions(aws);
        builder.AddHealthFlowAws();
        _host = builder.Build();
    }

    public IServiceProvider Services => _host.Services;

    /// <summary>
    /// A long-monitored patient in seconds: <paramref name="count"/> calm check-ins, one a day up to today, appended
    /// straight to the event store (as command-api would), then waited for until the observations read model holds
    /// them all. Returns their ids, oldest first.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> SeedCheckInsAsync(Guid patientId, int count, TimeSpan timeout)
    {
        var store = _host.Services.GetRequiredService<IEventStore>();
        var start = DateTimeOffset.UtcNow.AddDays(-count);
        var ids = Enumerable.Range(0, count).Select(_ => Guid.CreateVersion7()).ToList();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var measuredAt = start.AddDays(i);
            var vitals = new VitalSigns(Score: 2, HeartRate: 72, RespiratoryRate: 14, OxygenSaturation: 97, OnSupplementalOxygen: false,
                SystolicBp: 121, DiastolicBp: 79, Temperature: 36.8m, Consciousness: Consciousness.Alert);
            await store.AppendAsync(StreamId.ForObservation(ids[i]), ExpectedVersion.NoStream,
                [new ObservationSubmitted(ids[i], patientId, vitals, measuredAt, measuredAt, null)],
                EventMetadataFactory.FromCurrentActivity(Guid.NewGuid().ToString(), userId: patientId.ToString()), ct);
        });

        var dynamo = _host.Services.GetRequiredService<IAmazonDynamoDB>();
        await Eventually.UntilAsync(async () =>
        {
            var projected = 0;
            Dictionary<string, AttributeValue>? startKey = null;
            do
            {
                var page = await dynamo.QueryAsync(new QueryRequest
                {
                    TableName = HealthFlowTopology.Tables.Observations.Name,
                    KeyConditionExpression = "patientId = :patient",
                    ExpressionAttributeValues = new() { [":patient"] = new AttributeValue { S = patientId.ToString() } },
                    Select = Select.COUNT,
                    ExclusiveStartKey = startKey,
                });
                projected += page.Count ?? 0;
                startKey = page.LastEvaluatedKey is { Count: > 0 } ? page.LastEvaluatedKey : null;
            }
            while (startKey is not null);
            return projected == count;
        }, $"all {count} check-ins projected", timeout);
        return ids;
    }

    /// <summary>
    /// Every stored check-in, grouped by patient. Each check-in is its own stream, so this reads the
    /// whole store: the ground truth, not an index that could itself be wrong.
    /// </summary>
    public async Task<ILookup<Guid, EventEnvelope>> ObservationsByPatientAsync()
    {
        var observations = new List<(Guid PatientId, EventEnvelope Envelope)>();
        await foreach (var envelope in _host.Services.GetRequiredService<IEventStore>().ReadAllAsync())
        {
            if (envelope.Type == EventTypes.ObservationSubmitted)
            {
                observations.Add((envelope.DataAs<ObservationSubmitted>().PatientId, envelope));
            }
        }

        return observations.ToLookup(o => o.PatientId, o => o.Envelope);
    }

    public async Task<IReadOnlyList<EventEnvelope>> ObservationsOfAsync(Guid patientId) =>
        [.. (await ObservationsByPatientAsync())[patientId]];

    /// <summary>Every event of one alert's stream, in order.</summary>
    public Task<IReadOnlyList<EventEnvelope>> AlertStreamAsync(Guid alertId) => StreamAsync(StreamId.ForAlert(alertId));

    /// <summary>Every event of one stream, in order.</summary>
    public async Task<IReadOnlyList<EventEnvelope>> StreamAsync(StreamId stream)
    {
        var events = new List<EventEnvelope>();
        await foreach (var envelope in _host.Services.GetRequiredService<IEventStore>().ReadStreamAsync(stream))
        {
            events.Add(envelope);
        }

        return events;
    }

    /// <summary>The stores as they are now, read as the chaos checker reads them.</summary>
    public Task<StoreSnapshot> SnapshotAsync() => StoreSnapshot.ReadAsync(
        _host.Services.GetRequiredService<IEventStore>(), _host.Services.GetRequiredService<IAmazonDynamoDB>(),
        _host.Services.GetRequiredService<IAmazonSQS>(), TimeProvider.System, CancellationToken.None);

    /// <summary>The exactly-once ledger of the stores as they are now.</summary>
    public async Task<ExactlyOnceLedger> LedgerAsync() => ExactlyOnceLedger.Of(await SnapshotAsync());

    public void Dispose() => _host.Dispose();
}
