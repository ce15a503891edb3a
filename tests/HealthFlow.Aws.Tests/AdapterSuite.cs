using System.Diagnostics;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Amazon.SQS.Model;
using HealthFlow.Aws.Tests.Infrastructure;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;
using HealthFlow.Messaging;
using HealthFlow.Topology;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace HealthFlow.Aws.Tests;

/// <summary>
/// The AWS adapters (event store, outbox, publisher, consumer host, provisioning) against a real
/// AWS endpoint. Written once; each subclass runs it against one implementation.
/// </summary>
public abstract class AdapterSuite<TFixture>(TFixture aws) : IClassFixture<TFixture>
    where TFixture : AwsEndpointFixture
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(8);

    // The visibility timeout of the heartbeat tests' queues. The heartbeat extends every half timeout, so a machine
    // may stall a heartbeat by up to 2 s before the message reappears (with 1 s it was half a second, which a loaded
    // 2-core machine reaches); their waits allow for the extensions' own pace on top of the usual patience.
    private static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan HeartbeatPatience = Patience + 3 * HeartbeatTimeout;

    protected TFixture Aws { get; } = aws;

    private static EventMetadata Metadata() => EventMetadataFactory.FromCurrentActivity(Guid.NewGuid().ToString(), userId: "tester");

    private static ObservationSubmitted Observation(Guid patientId, int score) =>
        new(Guid.CreateVersion7(), patientId, new VitalSigns(Score: score, HeartRate: 70 + score), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null);

    private static PatientRegistered Registration(Guid patientId) =>
        new(patientId, $"patient-{patientId:N}", "Ada Lovelace", DateTimeOffset.UtcNow);

    [AdapterFact]
    public async Task Concurrent_appends_at_the_same_version_let_exactly_one_win()
    {
        using var app = Aws.CreateHost();
        var store = app.Services.GetRequiredService<IEventStore>();
        var patientId = Guid.NewGuid();
        var stream = StreamId.ForPatient(patientId);
        await store.AppendAsync(stream, ExpectedVersion.NoStream, [Registration(patientId)], Metadata());

        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(1, 2).Select(score => Task.Run(async () =>
        {
            start.Wait();
            try
            {
                return (object)await store.AppendAsync(stream, 1, [Observation(patientId, score)], Metadata());
            }
            catch (Exception ex)
            {
                return ex;
            }
        })).ToList();
        start.Set();
        var outcomes = await Task.WhenAll(attempts);

        var winner = Assert.Single(outcomes.OfType<AppendResult>());
        Assert.Equal(2, winner.Version);
        var conflict = Assert.IsType<ConcurrencyConflictException>(Assert.Single(outcomes.OfType<Exception>()));
        Assert.Equal(stream, conflict.Stream);
        Assert.Equal(1, conflict.ExpectedVersion);
        Assert.Equal(2, await store.GetVersionAsync(stream));
        var stored = await store.ReadStreamAsync(stream).ToListAsync();
        Assert.Equal([1L, 2L], stored.Select(e => e.Version));
        Assert.Equal(winner.Events[0].EventId, stored[1].EventId);
    }

    [AdapterFact]
    public async Task An_append_whose_retried_put_meets_its_own_commit_succeeds()
    {
        using var app = Aws.CreateHost(b => b.Services.Replace(ServiceDescriptor.Singleton(
            LostReplyDynamo.Wrap(Aws.Dynamo))));
        var store = app.Services.GetRequiredService<IEventStore>();
        var patientId = Guid.NewGuid();
        var stream = StreamId.ForPatient(patientId);

        var result = await store.AppendAsync(stream, ExpectedVersion.NoStream, [Registration(patientId)], Metadata());

        Assert.Equal(1, result.Version);
        Assert.Equal(result.Events[0].EventId, Assert.Single(await store.ReadStreamAsync(stream).ToListAsync()).EventId);
        // A genuine second writer at the same version still conflicts.
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            store.AppendAsync(stream, ExpectedVersion.NoStream, [Registration(patientId)], Metadata()));
    }

    [AdapterFact]
    public async Task A_stream_reads_forwards_from_any_version_with_its_data_and_metadata()
    {
        using var app = Aws.CreateHost();
        var store = app.Services.GetRequiredService<IEventStore>();
        var patientId = Guid.NewGuid();
        var stream = StreamId.ForPatient(patientId);
        var metadata = new EventMetadata("corr-1", "cause-1", "clinician1", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "vendor=1");
        var first = Observation(patientId, 3);
        var second = Observation(patientId, 9);

        Assert.Equal(ExpectedVersion.NoStream, await store.GetVersionAsync(stream));
        await store.AppendAsync(stream, ExpectedVersion.NoStream, [Registration(patientId)], metadata);
        await store.AppendAsync(stream, 1, [first, second], metadata);
        await store.AppendAsync(stream, 2, [Observation(patientId, 5)], metadata);

        var all = await store.ReadStreamAsync(stream).ToListAsync();
        Assert.Equal([1L, 2L, 2L, 3L], all.Select(e => e.Version));
        Assert.Equal([EventTypes.PatientRegistered, EventTypes.ObservationSubmitted, EventTypes.ObservationSubmitted, EventTypes.ObservationSubmitted], all.Select(e => e.Type));
        Assert.Equal(first, all[1].DataAs<ObservationSubmitted>());
        Assert.Equal(second, all[2].DataAs<ObservationSubmitted>());
        AssertNonEmpty.All(all, e => Assert.Equal(metadata, e.Metadata));
        AssertNonEmpty.All(all, e => Assert.Equal(7, e.EventId.Version));
        Assert.Equal(4, all.Select(e => e.EventId).Distinct().Count());

        var fromTwo = await store.ReadStreamAsync(stream, fromVersion: 2).ToListAsync();
        Assert.Equal(all.Skip(1).Select(e => e.EventId), fromTwo.Select(e => e.EventId));
        Assert.Equal(3, await store.GetVersionAsync(stream));
    }

    [AdapterFact]
    public async Task A_stream_reads_backwards_newest_first_over_several_pages_and_a_tail_folds_in_version_order_with_the_newest_version()
    {
        using var app = Aws.CreateHost();
        var store = app.Services.GetRequiredService<IEventStore>();
        var patientId = Guid.NewGuid();
        var stream = StreamId.ForPatient(patientId);
        await store.AppendAsync(stream, ExpectedVersion.NoStream, [Registration(patientId)], Metadata());
        // More commits than one backward page holds, and one commit of two events.
        var commits = DynamoEventStreams.BackwardPageSize + 3;
        for (var version = 1; version < commits; version++)
        {
            IDomainEvent[] events = version == 2 ? [Observation(patientId, 1), Observation(patientId, 2)] : [Observation(patientId, version % 10 + 1)];
            await store.AppendAsync(stream, version, events, Metadata());
        }

        var forwards = await store.ReadStreamAsync(stream).ToListAsync();
        var backwards = await store.ReadStreamBackwardAsync(stream).ToListAsync();
        var tail = await store.LoadTailAsync(stream, new List<long>(), (seen, e) => [.. seen, e.Version], e => e.Version <= commits - 3);

        Assert.Equal(forwards.Select(e => e.EventId).Reverse(), backwards.Select(e => e.EventId));
        Assert.Equal([commits - 2L, commits - 1L, commits], tail.State);
        Assert.Equal(commits, tail.Version);
        Assert.Equal(ExpectedVersion.NoStream, (await store.LoadTailAsync(StreamId.ForPatient(Guid.NewGuid()), 0, (n, _) => n + 1, _ => false)).Version);
    }

    [AdapterFact]
    public async Task Read_all_returns_every_stream_each_in_version_order()
    {
        using var app = Aws.CreateHost(settings: new Dictionary<string, string?> { ["HealthFlow:EventStore:ReplaySegments"] = "3" });
        var store = app.Services.GetRequiredService<IEventStore>();
        var patients = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToList();
        for (var version = 0; version < 3; version++)
        {
            foreach (var patientId in patients)
            {
                IDomainEvent e = version == 0 ? Registration(patientId) : Observation(patientId, version);
                await store.AppendAsync(StreamId.ForPatient(patientId), version, [e], Metadata());
            }
        }

        var ours = patients.Select(p => StreamId.ForPatient(p).Value).ToHashSet();
        var replayed = await store.ReadAllAsync().Where(e => ours.Contains(e.StreamId)).ToListAsync();

        Assert.Equal(12, replayed.Count);
        foreach (var stream in replayed.GroupBy(e => e.StreamId))
            Assert.Equal([1L, 2L, 3L], stream.Select(e => e.Version));
    }

    [AdapterFact]
    public async Task A_published_commit_leaves_the_outbox_and_reaches_its_queue()
    {
        using var app = Aws.CreateHost();
        var store = app.Services.GetRequiredService<IEventStore>();
        var patientId = Guid.NewGuid();
        var stream = StreamId.ForPatient(patientId);

        var result = await store.AppendAsync(stream, ExpectedVersion.NoStream, [Registration(patientId)], Metadata());

        Assert.True((await GetCommitAsync(stream, result.Version)).ContainsKey("committedAt"));
        await Eventually.HoldsAsync(async () => !(await GetCommitAsync(stream, result.Version)).ContainsKey("pending"),
            Patience, "the writer clears the outbox mark (in the background) once the bus has the events");
        var queueUrl = (await Aws.Sqs.GetQueueUrlAsync(HealthFlowTopology.Queues.PatientProjection.Name)).QueueUrl;
        var delivered = await Aws.ReceiveEventAsync(queueUrl, result.Events[0].EventId, Patience);
        Assert.Equal(EventTypes.PatientRegistered, delivered.GetProperty("detail-type").GetString());
        Assert.Equal("healthflow.aws-tests", delivered.GetProperty("source").GetString());
        var detail = delivered.GetProperty("detail");
        Assert.Equal(stream.Value, detail.GetProperty("streamId").GetString());
        Assert.Equal(1, detail.GetProperty("version").GetInt64());
        Assert.Equal(patientId, detail.GetProperty("data").GetProperty("patientId").GetGuid());
    }

    [AdapterFact]
    public async Task A_durable_append_returns_once_stored_and_publishes_in_the_background()
    {
        var publisher = new HeldPublisher();
        using var app = Aws.CreateHost(b => b.Services.Replace(ServiceDescriptor.Singleton<IEventPublisher>(publisher)));
        var store = app.Services.GetRequiredService<IEventStore>();
        var patientId = Guid.NewGuid();
        var stream = StreamId.ForPatient(patientId);

        var result = await store.AppendDurableAsync(stream, ExpectedVersion.NoStream, [Registration(patientId)], Metadata())
            .WaitAsync(Patience);

        var stored = await GetCommitAsync(stream, result.Version);
        Assert.True(stored.ContainsKey("pending"), "the commit is stored, still marked for the outbox, while its publish is held");
        await publisher.Started.Task.WaitAsync(Patience);
        publisher.Release.SetResult();
        await Eventually.HoldsAsync(async () => !(await GetCommitAsync(stream, result.Version)).ContainsKey("pending"),
            Patience, "the background publish completes and clears the outbox mark");
        Assert.Equal(1, publisher.Published);
    }

    [AdapterFact]
    public async Task A_commit_stranded_by_a_crash_before_publishing_is_relayed_to_its_queue()
    {
        var patientId = Guid.NewGuid();
        var stream = StreamId.ForPatient(patientId);
        AppendResult appended;
        using (var crashing = Aws.CreateHost(b => b.Services.Replace(ServiceDescriptor.Singleton<IEventPublisher, ProcessDiesBeforePublishing>())))
        {
            // The command still succeeds: the events are durable, only their publication is late.
            appended = await crashing.Services.GetRequiredService<IEventStore>()
                .AppendAsync(stream, ExpectedVersion.NoStream, [Observation(patientId, 9)], Metadata());
        }

        Assert.True((await GetCommitAsync(stream, appended.Version)).ContainsKey("pending"), "the commit waits in the outbox");

        using var restarted = Aws.CreateHost(settings: new Dictionary<string, string?>
        {
            ["HealthFlow:Outbox:RelayEnabled"] = "true",
            ["HealthFlow:Outbox:SweepInterval"] = "00:00:00.100",
            ["HealthFlow:EventStore:PublishTimeout"] = "00:00:00.100",
            ["HealthFlow:Outbox:RepublishAfter"] = "00:00:00.300",
        });
        await restarted.StartAsync();
        try
        {
            var queueUrl = (await Aws.Sqs.GetQueueUrlAsync(HealthFlowTopology.Queues.AlertEvaluation.Name)).QueueUrl;
            var delivered = await Aws.ReceiveEventAsync(queueUrl, appended.Events[0].EventId, Patience);
            Assert.Equal(EventTypes.ObservationSubmitted, delivered.GetProperty("detail-type").GetString());
            await Eventually.HoldsAsync(async () => !(await GetCommitAsync(stream, appended.Version)).ContainsKey("pending"),
                Patience, "the relay clears the outbox mark");
        }
        finally
        {
            await restarted.StopAsync();
        }
    }

    [AdapterFact]
    public async Task The_relay_leaves_a_commit_younger_than_RepublishAfter_to_its_writer_and_publishes_it_once_older()
    {
        var stream = StreamId.ForObservation(Guid.NewGuid());
        using var crashing = Aws.CreateHost(b => b.Services.Replace(ServiceDescriptor.Singleton<IEventPublisher, ProcessDiesBeforePublishing>()));
        var appended = await crashing.Services.GetRequiredService<IEventStore>()
            .AppendAsync(stream, ExpectedVersion.NoStream, [Observation(Guid.NewGuid(), 9)], Metadata());
        var republishAfter = TimeSpan.FromMinutes(10);
        var publisher = new CountingPublisher();
        var leases = new Leases(Aws.Dynamo, TimeProvider.System);
        try
        {
            await RelayAtAsync(TimeSpan.Zero);
            Assert.Equal(0, publisher.TimesPublished(appended.Events[0].EventId));
            Assert.True((await GetCommitAsync(stream, appended.Version)).ContainsKey("pending"), "a young commit stays in the outbox");

            await RelayAtAsync(republishAfter + TimeSpan.FromSeconds(1));
            Assert.Equal(1, publisher.TimesPublished(appended.Events[0].EventId));
            Assert.False((await GetCommitAsync(stream, appended.Version)).ContainsKey("pending"), "a relayed commit leaves the outbox");
        }
        finally
        {
            foreach (var shard in Enumerable.Range(0, 4))
                await leases.ReleaseAsync(OutboxRelay.LeaseName(shard.ToString(System.Globalization.CultureInfo.InvariantCulture)), CancellationToken.None);
        }

        // The relay's clock runs ahead; the leases keep real time, so no other relay is locked out for long.
        async Task RelayAtAsync(TimeSpan ahead)
        {
            using var relay = new OutboxRelay(
                Aws.Dynamo, publisher, crashing.Services.GetRequiredService<OutboxMarks>(), leases,
                Microsoft.Extensions.Options.Options.Create(new OutboxOptions { RepublishAfter = republishAfter }),
                Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxRelay>.Instance,
                new ShiftedTime(ahead));
            await relay.RelayPendingAsync();
        }
    }

    [AdapterFact]
    public async Task A_services_relay_republishes_the_streams_it_appends_and_leaves_other_services_commits_alone()
    {
        // alert-worker's task role may remove the outbox mark of alert- commits only: relaying an observation
        // would publish it and then fail to clear it, publishing it again at every sweep.
        var alert = StreamId.ForAlert(Guid.NewGuid());
        var observation = StreamId.ForObservation(Guid.NewGuid());
        using var crashing = Aws.CreateHost(b => b.Services.Replace(ServiceDescriptor.Singleton<IEventPublisher, ProcessDiesBeforePublishing>()));
        var store = crashing.Services.GetRequiredService<IEventStore>();
        var stranded = await store.AppendAsync(alert, ExpectedVersion.NoStream, [Observation(Guid.NewGuid(), 9)], Metadata());
        var foreign = await store.AppendAsync(observation, ExpectedVersion.NoStream, [Observation(Guid.NewGuid(), 9)], Metadata());
        var publisher = new CountingPublisher();
        var leases = new Leases(Aws.Dynamo, TimeProvider.System);
        var options = new OutboxOptions { RepublishAfter = TimeSpan.FromMinutes(10), Service = HealthFlowAccess.AlertWorkerService };
        try
        {
            using var relay = new OutboxRelay(
                Aws.Dynamo, publisher, crashing.Services.GetRequiredService<OutboxMarks>(), leases, Microsoft.Extensions.Options.Options.Create(options),
                Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxRelay>.Instance,
                new ShiftedTime(options.RepublishAfter + TimeSpan.FromSeconds(1)));
            await relay.RelayPendingAsync();

            Assert.Equal(1, publisher.TimesPublished(stranded.Events[0].EventId));
            Assert.False((await GetCommitAsync(alert, stranded.Version)).ContainsKey("pending"), "its own commit leaves the outbox");
            Assert.Equal(0, publisher.TimesPublished(foreign.Events[0].EventId));
            Assert.True((await GetCommitAsync(observation, foreign.Version)).ContainsKey("pending"), "command-api's commit waits for command-api's relay");
        }
        finally
        {
            foreach (var shard in Enumerable.Range(0, 4))
                await leases.ReleaseAsync(OutboxRelay.LeaseName(options.Service, shard.ToString(System.Globalization.CultureInfo.InvariantCulture)), CancellationToken.None);
            await Aws.Dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = HealthFlowTopology.Tables.Events.Name,
                Key = new() { ["streamId"] = new() { S = observation.Value }, ["version"] = new() { N = "1" } },
                UpdateExpression = "REMOVE #pending",
                ExpressionAttributeNames = new() { ["#pending"] = "pending" },
            });
        }
    }

    [AdapterFact]
    public async Task Two_relays_sweeping_at_once_publish_each_stranded_commit_exactly_once()
    {
        var stranded = new List<Guid>();
        var streams = new List<StreamId>();
        using (var crashing = Aws.CreateHost(b => b.Services.Replace(ServiceDescriptor.Singleton<IEventPublisher, ProcessDiesBeforePublishing>())))
        {
            var store = crashing.Services.GetRequiredService<IEventStore>();
            for (var i = 0; i < 12; i++)
            {
                var stream = StreamId.ForObservation(Guid.NewGuid());
                var appended = await store.AppendAsync(stream, ExpectedVersion.NoStream, [Observation(Guid.NewGuid(), 9)], Metadata());
                stranded.Add(appended.Events[0].EventId);
                streams.Add(stream);
            }
        }

        var publisher = new CountingPublisher();
        var relays = Enumerable.Range(0, 2).Select(_ => Aws.CreateHost(
            b => b.Services.Replace(ServiceDescriptor.Singleton<IEventPublisher>(publisher)),
            new Dictionary<string, string?>
            {
                ["HealthFlow:Outbox:RelayEnabled"] = "true",
                ["HealthFlow:Outbox:SweepInterval"] = "00:00:00.050",
                ["HealthFlow:EventStore:PublishTimeout"] = "00:00:00.100",
                ["HealthFlow:Outbox:RepublishAfter"] = "00:00:00.300",
            })).ToList();
        await Task.WhenAll(relays.Select(r => r.StartAsync()));
        try
        {
            await Eventually.HoldsAsync(async () =>
            {
                foreach (var stream in streams)
                {
                    if ((await GetCommitAsync(stream, 1)).ContainsKey("pending"))
                        return false;
                }

                return true;
            }, Patience, "every stranded commit is relayed and leaves the outbox");
            // Both go on sweeping: five more sweeps each, at once, in which a duplicate could appear.
            var sweepers = relays.Select(r => r.Services.GetServices<IHostedService>().OfType<OutboxRelay>().Single()).ToList();
            for (var round = 0; round < 5; round++)
                Assert.Equal(new[] { 0, 0 }, await Task.WhenAll(sweepers.Select(relay => relay.RelayPendingAsync())));

            AssertNonEmpty.All(stranded, id => Assert.Equal(1, publisher.TimesPublished(id)));
        }
        finally
        {
            await Task.WhenAll(relays.Select(r => r.StopAsync()));
            relays.ForEach(r => r.Dispose());
        }
    }

    [AdapterFact]
    public async Task One_commit_the_bus_can_never_take_is_parked_with_its_reason_and_the_commits_behind_it_are_published()
    {
        var patientId = Guid.NewGuid();
        var tooLarge = StreamId.ForAuditBatch(Guid.CreateVersion7());
        var observations = new List<(StreamId Stream, Guid EventId)>();
        using (var crashing = Aws.CreateHost(b => b.Services.Replace(ServiceDescriptor.Singleton<IEventPublisher, ProcessDiesBeforePublishing>())))
        {
            var store = crashing.Services.GetRequiredService<IEventStore>();
            // About 300 KB: DynamoDB stores it, EventBridge takes no entry over 256 KB. It is the oldest, so it leads its shard.
            var ids = Enumerable.Range(0, 5_000).Select(_ => $"Observation/{Guid.NewGuid()}-heart-rate").ToList();
            await store.AppendAsync(tooLarge, ExpectedVersion.NoStream,
                [new PatientDataAccessed(Guid.CreateVersion7(), "clinician1", "clinician", patientId, "GET /fhir/r4/Patient/{patientId}/$everything", ids, ids.Count, "allowed", null, DateTimeOffset.UtcNow)],
                Metadata());
            for (var i = 0; i < 24; i++)
            {
                var stream = StreamId.ForObservation(Guid.NewGuid());
                var appended = await store.AppendAsync(stream, ExpectedVersion.NoStream, [Observation(patientId, 9)], Metadata());
                observations.Add((stream, appended.Events[0].EventId));
            }
        }

        using var relaying = Aws.CreateHost();
        var relayed = await RelayAheadAsync(relaying, TimeSpan.FromMinutes(30));

        Assert.True(relayed >= observations.Count, $"the relay published {relayed} commits");
        foreach (var (stream, _) in observations)
            Assert.False((await GetCommitAsync(stream, 1)).ContainsKey("pending"), $"{stream} was published and left the outbox");
        var queueUrl = (await Aws.Sqs.GetQueueUrlAsync(HealthFlowTopology.Queues.AlertEvaluation.Name)).QueueUrl;
        await Aws.ReceiveEventAsync(queueUrl, observations[^1].EventId, Patience);

        var parked = await GetCommitAsync(tooLarge, 1);
        Assert.Equal("parked", parked["pending"].S);
        Assert.Contains("over EventBridge's limit", parked["parked"].S, StringComparison.Ordinal);
        var listed = Assert.Single(await relaying.Services.GetRequiredService<OutboxParking>().ListAsync().Where(c => c.StreamId == tooLarge.Value).ToListAsync());
        Assert.Equal(1L, listed.Version);
        Assert.Equal([EventTypes.PatientDataAccessed], listed.EventTypes);
        Assert.Contains("over EventBridge's limit", listed.Reason, StringComparison.Ordinal);
        // Parked, it is no longer swept: a second sweep does not try it again.
        await RelayAheadAsync(relaying, TimeSpan.FromMinutes(30));
        Assert.Equal(parked["parked"].S, (await GetCommitAsync(tooLarge, 1))["parked"].S);
        // Replayed after the cause is fixed? Here it is still too large: it stays parked, and replay says why.
        var replay = Assert.IsType<ReplayOutcome.StillRefused>(await relaying.Services.GetRequiredService<OutboxParking>().ReplayAsync(tooLarge.Value, 1));
        Assert.Contains("over EventBridge's limit", replay.Reason, StringComparison.Ordinal);
    }

    [AdapterFact]
    public async Task A_parked_commit_is_replayed_to_its_queue_and_leaves_the_outbox()
    {
        var stream = StreamId.ForObservation(Guid.NewGuid());
        AppendResult appended;
        using (var crashing = Aws.CreateHost(b => b.Services.Replace(ServiceDescriptor.Singleton<IEventPublisher, ProcessDiesBeforePublishing>())))
        {
            appended = await crashing.Services.GetRequiredService<IEventStore>()
                .AppendAsync(stream, ExpectedVersion.NoStream, [Observation(Guid.NewGuid(), 9)], Metadata());
        }

        // The bus refused it until, say, a rule was fixed: parked as the relay parks it.
        using var refusing = Aws.CreateHost(b => b.Services.Replace(ServiceDescriptor.Singleton<IEventPublisher, BusRefusesEveryEntry>()),
            new Dictionary<string, string?> { ["HealthFlow:Outbox:MaxPublishAttempts"] = "2" });
        await RelayAheadAsync(refusing, TimeSpan.FromMinutes(30));
        Assert.NotEqual("parked", (await GetCommitAsync(stream, 1))["pending"].S);
        await RelayAheadAsync(refusing, TimeSpan.FromMinutes(30), sweeps: 2);
        Assert.Equal("parked", (await GetCommitAsync(stream, 1))["pending"].S);
        Assert.Contains("2 attempts refused", (await GetCommitAsync(stream, 1))["parked"].S, StringComparison.Ordinal);

        using var app = Aws.CreateHost();
        var outcome = await app.Services.GetRequiredService<OutboxParking>().ReplayAsync(stream.Value, 1);

        Assert.Equal(1, Assert.IsType<ReplayOutcome.Replayed>(outcome).Events);
        var queueUrl = (await Aws.Sqs.GetQueueUrlAsync(HealthFlowTopology.Queues.AlertEvaluation.Name)).QueueUrl;
        await Aws.ReceiveEventAsync(queueUrl, appended.Events[0].EventId, Patience);
        var item = await GetCommitAsync(stream, 1);
        Assert.False(item.ContainsKey("pending") || item.ContainsKey("parked"), "a replayed commit leaves the outbox");
        Assert.IsType<ReplayOutcome.NotParked>(await app.Services.GetRequiredService<OutboxParking>().ReplayAsync(stream.Value, 1));
    }

    [AdapterFact]
    public async Task A_commit_this_process_published_is_not_republished_by_its_relay_while_its_mark_removal_is_held()
    {
        var held = HeldClearsDynamo.Wrap(Aws.Dynamo);
        var publisher = new CountingPublisher();
        using var app = Aws.CreateHost(b =>
        {
            b.Services.Replace(ServiceDescriptor.Singleton(held.Client));
            b.Services.Replace(ServiceDescriptor.Singleton<IEventPublisher>(publisher));
        });
        var stream = StreamId.ForObservation(Guid.NewGuid());
        var appended = await app.Services.GetRequiredService<IEventStore>()
            .AppendAsync(stream, ExpectedVersion.NoStream, [Observation(Guid.NewGuid(), 9)], Metadata());
        await held.Proxy.Held.Task.WaitAsync(Patience);
        Assert.True((await GetCommitAsync(stream, appended.Version)).ContainsKey("pending"), "the writer's mark removal is held: the commit looks unpublished");

        // Saturation: the removal is older than RepublishAfter when this process's relay sweeps.
        await RelayAheadAsync(app, TimeSpan.FromMinutes(30), Aws.Dynamo);

        Assert.Equal(1, publisher.TimesPublished(appended.Events[0].EventId));
        Assert.False((await GetCommitAsync(stream, appended.Version)).ContainsKey("pending"), "the relay removed the overdue mark instead");
        held.Proxy.Release.SetResult();
        await RelayAheadAsync(app, TimeSpan.FromMinutes(30), Aws.Dynamo);
        Assert.Equal(1, publisher.TimesPublished(appended.Events[0].EventId));
    }

    /// <summary>
    /// One sweep of a relay of <paramref name="app"/>'s process (its publisher and its outbox marks) whose clock
    /// runs <paramref name="ahead"/>, so every pending commit is due; the leases keep real time and are released after.
    /// </summary>
    private async Task<int> RelayAheadAsync(IHost app, TimeSpan ahead, Amazon.DynamoDBv2.IAmazonDynamoDB? dynamo = null, int sweeps = 1)
    {
        var leases = new Leases(Aws.Dynamo, TimeProvider.System);
        using var relay = new OutboxRelay(
            dynamo ?? app.Services.GetRequiredService<Amazon.DynamoDBv2.IAmazonDynamoDB>(),
            app.Services.GetRequiredService<IEventPublisher>(),
            app.Services.GetRequiredService<OutboxMarks>(),
            leases,
            app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OutboxOptions>>(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxRelay>.Instance,
            new ShiftedTime(ahead));
        try
        {
            var relayed = 0;
            for (var sweep = 0; sweep < sweeps; sweep++)
                relayed += await relay.RelayPendingAsync();
            return relayed;
        }
        finally
        {
            foreach (var shard in Enumerable.Range(0, 4))
                await leases.ReleaseAsync(OutboxRelay.LeaseName(shard.ToString(System.Globalization.CultureInfo.InvariantCulture)), CancellationToken.None);
        }
    }

    [AdapterFact]
    public async Task A_handler_that_keeps_failing_sends_its_message_to_the_DLQ_after_five_receives()
    {
        var queue = await Aws.CreateRoutedQueueAsync("dlq", nameof(DlqProbe), visibilityTimeout: TimeSpan.FromSeconds(1));
        using var app = Aws.CreateHost(b =>
        {
            b.Services.AddSingleton<ProbeLog>();
            b.Services.AddEventConsumers(c => c
                .UseRetry(r => r.Immediate(2))
                .Queue(queue.Definition).Consume<DlqProbe, AlwaysFailingConsumer>());
        });
        var log = app.Services.GetRequiredService<ProbeLog>();
        await app.StartAsync();
        try
        {
            var appended = await app.Services.GetRequiredService<IEventStore>()
                .AppendAsync(new StreamId($"probe-{Guid.NewGuid():D}"), ExpectedVersion.NoStream, [new DlqProbe(Guid.NewGuid())], Metadata());
            var eventId = appended.Events[0].EventId;

            var dead = await Aws.ReceiveEventAsync(queue.DeadLetterUrl, eventId, TimeSpan.FromSeconds(12));

            Assert.Equal(nameof(DlqProbe), dead.GetProperty("detail-type").GetString());
            // MassTransit's retry policy runs inside each receive: 1 + 2 attempts, 5 receives.
            Assert.Equal(HealthFlowTopology.MaxReceiveCount * 3, log.Deliveries(eventId));
            Assert.Equal(0, await Aws.MessagesInAsync(queue.Url));
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [AdapterFact]
    public async Task A_duplicate_delivery_is_applied_once()
    {
        var queue = await Aws.CreateRoutedQueueAsync("dup", nameof(DuplicateProbe), visibilityTimeout: TimeSpan.FromSeconds(30));
        using var app = Aws.CreateHost(b =>
        {
            b.Services.AddSingleton<ProbeLog>();
            b.Services.AddEventConsumers(c => c.Queue(queue.Definition).Consume<DuplicateProbe, ApplyOnceConsumer>());
        });
        var log = app.Services.GetRequiredService<ProbeLog>();
        var store = app.Services.GetRequiredService<IEventStore>();
        await app.StartAsync();
        try
        {
            var appended = await store.AppendAsync(new StreamId($"probe-{Guid.NewGuid():D}"), ExpectedVersion.NoStream, [new DuplicateProbe(Guid.NewGuid())], Metadata());
            // What the relay does when the writer published but died before clearing the mark.
            await app.Services.GetRequiredService<IEventPublisher>().PublishAsync(appended.Events);
            var eventId = appended.Events[0].EventId;

            await Eventually.HoldsAsync(() => log.Deliveries(eventId) == 2, Patience, "both copies are delivered");
            await Eventually.HoldsAsync(async () => await Aws.MessagesInAsync(queue.Url) == 0, Patience, "both copies are deleted");

            Assert.Equal(1, log.Applied);
            Assert.Equal(1, log.SkippedAsDuplicate);
            Assert.Equal(1, await store.GetVersionAsync(ApplyOnceConsumer.EffectStream(eventId)));
            Assert.Equal(0, await Aws.MessagesInAsync(queue.DeadLetterUrl));
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [AdapterFact]
    public async Task The_consumer_continues_the_producers_trace_and_hands_it_on()
    {
        var queue = await Aws.CreateRoutedQueueAsync("trace", nameof(TraceProbe), visibilityTimeout: TimeSpan.FromSeconds(30));
        var spans = new System.Collections.Concurrent.ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is HealthFlowTelemetry.ActivitySourceName or "MassTransit" or nameof(AdapterSuite<TFixture>),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var requestSource = new ActivitySource(nameof(AdapterSuite<TFixture>));
        using var app = Aws.CreateHost(b =>
        {
            b.Services.AddSingleton<ProbeLog>();
            b.Services.AddEventConsumers(c => c.Queue(queue.Definition).Consume<TraceProbe, TraceRecordingConsumer>());
        });
        var log = app.Services.GetRequiredService<ProbeLog>();
        await app.StartAsync();
        try
        {
            AppendResult appended;
            ActivityContext request;
            using (var http = requestSource.StartActivity("POST /api/observations", ActivityKind.Server))
            {
                request = http!.Context;
                appended = await app.Services.GetRequiredService<IEventStore>()
                    .AppendAsync(new StreamId($"probe-{Guid.NewGuid():D}"), ExpectedVersion.NoStream, [new TraceProbe(Guid.NewGuid())], Metadata());
            }

            await Eventually.HoldsAsync(() => !log.Traces.IsEmpty, Patience, "the handler runs");
            Assert.True(log.Traces.TryPeek(out var handled));
            var (consumer, consumerParent, followUp) = handled;

            Assert.Equal(request.TraceId, consumer.TraceId);
            // The consumer runs in MassTransit's consume span, under MassTransit's receive span, under
            // the transport's receive span, whose parent is the span that appended the event.
            var receive = await Eventually.ReturnsAsync(
                () => Task.FromResult(spans.FirstOrDefault(s => s.Source.Name == HealthFlowTelemetry.ActivitySourceName && s.Kind == ActivityKind.Consumer && s.TraceId == request.TraceId)),
                Patience, "the transport's receive span ends");
            Assert.Equal(request.SpanId, receive.ParentSpanId);
            Assert.Equal(appended.Events[0].EventId.ToString(), receive.GetTagItem("healthflow.event_id"));
            var consume = Assert.Single(spans, s => s.SpanId == consumer.SpanId);
            Assert.Equal("MassTransit", consume.Source.Name);
            Assert.Equal(ActivityKind.Consumer, consume.Kind);
            Assert.Equal(appended.Events[0].EventId.ToString(), consume.GetTagItem("messaging.masstransit.message_id"));
            var massTransitReceive = Assert.Single(spans, s => s.SpanId == consumerParent);
            Assert.Equal("MassTransit", massTransitReceive.Source.Name);
            Assert.Equal(receive.SpanId, massTransitReceive.ParentSpanId);
            Assert.Contains(spans, s => s.Kind == ActivityKind.Producer && s.TraceId == request.TraceId && s.ParentSpanId == request.SpanId);
            // The event the handler appended carries the consumer span on to the next hop.
            Assert.Equal($"00-{consumer.TraceId}-{consumer.SpanId}-01", followUp.Events[0].Metadata.Traceparent);
            Assert.Equal(appended.Events[0].EventId.ToString(), followUp.Events[0].Metadata.CausationId);
            Assert.Equal(appended.Events[0].Metadata.CorrelationId, followUp.Events[0].Metadata.CorrelationId);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [AdapterFact]
    public async Task A_slow_handler_keeps_its_message_and_shutdown_waits_for_it()
    {
        var queue = await Aws.CreateRoutedQueueAsync("slow", nameof(SlowProbe), visibilityTimeout: HeartbeatTimeout);
        using var metrics = new MetricRecorder();
        using var app = Aws.CreateHost(b =>
        {
            b.Services.AddSingleton<ProbeLog>();
            b.Services.AddEventConsumers(c => c.Queue(queue.Definition).Consume<SlowProbe, SlowConsumer>());
        });
        var log = app.Services.GetRequiredService<ProbeLog>();
        await app.StartAsync();
        var appended = await app.Services.GetRequiredService<IEventStore>()
            .AppendAsync(new StreamId($"probe-{Guid.NewGuid():D}"), ExpectedVersion.NoStream, [new SlowProbe(Guid.NewGuid())], Metadata());
        await log.SlowHandlerStarted.Task.WaitAsync(Patience);

        // Outlive the visibility timeout by half again; without the heartbeat the message would be redelivered.
        await Eventually.HoldsAsync(() => metrics.Total("healthflow.consumer.visibility_extended", queue.Definition.Name) >= 3,
            HeartbeatPatience, "the consumer extends the message's visibility");
        var stopping = app.StopAsync();
        Assert.False(stopping.IsCompleted, "shutdown waits for the in-flight handler");
        log.ReleaseSlowHandler.SetResult();
        await stopping.WaitAsync(Patience);

        Assert.True(log.SlowHandlerFinished.Task.IsCompleted);
        Assert.Equal(1, log.Deliveries(appended.Events[0].EventId));
        Assert.Equal(0, await Aws.MessagesInAsync(queue.Url));
    }

    [AdapterFact]
    public async Task A_failed_visibility_extension_is_retried_and_the_message_stays_with_its_consumer()
    {
        var queue = await Aws.CreateRoutedQueueAsync("heartbeat", nameof(HeartbeatProbe), visibilityTimeout: HeartbeatTimeout);
        var failures = 0;
        var (sqs, _) = VisibilityFaultSqs.Wrap(Aws.Sqs, (_, _) => Interlocked.Increment(ref failures) <= 2
            ? throw new Amazon.SQS.AmazonSQSException("Injected: the endpoint is briefly unreachable.")
            : Task.CompletedTask);
        using var metrics = new MetricRecorder();
        using var app = Aws.CreateHost(b =>
        {
            b.Services.Replace(ServiceDescriptor.Singleton(sqs));
            b.Services.AddSingleton<ProbeLog>();
            b.Services.AddEventConsumers(c => c.Queue(queue.Definition).Consume<HeartbeatProbe, SlowConsumer>());
        });
        var log = app.Services.GetRequiredService<ProbeLog>();
        await app.StartAsync();
        try
        {
            var appended = await app.Services.GetRequiredService<IEventStore>()
                .AppendAsync(new StreamId($"probe-{Guid.NewGuid():D}"), ExpectedVersion.NoStream, [new HeartbeatProbe(Guid.NewGuid())], Metadata());
            await log.SlowHandlerStarted.Task.WaitAsync(Patience);

            // Two failed extensions (retried after 200 ms, then 400 ms), then the heartbeat carries on past the timeout.
            var name = queue.Definition.Name;
            await Eventually.HoldsAsync(() => metrics.Total("healthflow.consumer.visibility_extended", name) >= 3,
                HeartbeatPatience, "the heartbeat keeps extending after its failures");
            Assert.Equal(2, metrics.Total("healthflow.consumer.visibility_extension_failures", name));
            log.ReleaseSlowHandler.SetResult();
            await Eventually.HoldsAsync(async () => await Aws.MessagesInAsync(queue.Url) == 0, Patience, "the handled message is deleted");
            Assert.Equal(1, log.Deliveries(appended.Events[0].EventId));
        }
        finally
        {
            log.ReleaseSlowHandler.TrySetResult();
            await app.StopAsync();
        }
    }

    [AdapterFact]
    public async Task A_failed_message_comes_back_after_its_retry_delay_even_when_an_extension_was_in_flight()
    {
        var queue = await Aws.CreateRoutedQueueAsync("retrydelay", nameof(RetryDelayProbe), visibilityTimeout: HeartbeatTimeout);
        var retryDelay = TimeSpan.FromSeconds(3);
        ProbeLog? log = null;
        // A heartbeat extension never gets through (it is in flight until abandoned), and the consumer fails while it
        // is: with the first extension half a timeout in, 2 s are left to set the retry delay before the message reappears.
        var (sqs, faults) = VisibilityFaultSqs.Wrap(Aws.Sqs, async (request, cancellationToken) =>
        {
            if (request.VisibilityTimeout == (int)HeartbeatTimeout.TotalSeconds)
            {
                log!.ExtensionInFlight.TrySetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }
        });
        using var app = Aws.CreateHost(b =>
        {
            b.Services.Replace(ServiceDescriptor.Singleton(sqs));
            b.Services.AddSingleton<ProbeLog>();
            b.Services.AddEventConsumers(c => c
                .UseRetry(r => r.None())
                .Queue(queue.Definition).Consume<RetryDelayProbe, FailsMidExtensionConsumer>()
                .Configure(o => o.RetryDelay = retryDelay));
        });
        log = app.Services.GetRequiredService<ProbeLog>();
        await app.StartAsync();
        try
        {
            await app.Services.GetRequiredService<IEventStore>()
                .AppendAsync(new StreamId($"probe-{Guid.NewGuid():D}"), ExpectedVersion.NoStream, [new RetryDelayProbe(Guid.NewGuid())], Metadata());

            var failedAt = await log.FailedAt.Task.WaitAsync(Patience);
            var redeliveredAt = await log.RedeliveredAt.Task.WaitAsync(Patience);

            // The heartbeat was stopped (its extension abandoned) before the retry delay was set, so nothing overrode it.
            Assert.Equal((int)retryDelay.TotalSeconds, faults.Applied.Last());
            Assert.True(redeliveredAt - failedAt >= retryDelay - TimeSpan.FromMilliseconds(500),
                $"redelivered {(redeliveredAt - failedAt).TotalSeconds:0.0} s after the failure; the retry delay is {retryDelay.TotalSeconds} s");
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [AdapterFact]
    public async Task Queue_depth_in_flight_dead_letters_and_lag_are_measured()
    {
        var queue = await Aws.CreateRoutedQueueAsync("metrics", nameof(SlowProbe), visibilityTimeout: TimeSpan.FromSeconds(30));
        using var metrics = new MetricRecorder();
        using var app = Aws.CreateHost(b =>
        {
            b.Services.AddSingleton<ProbeLog>();
            b.Services.AddEventConsumers(c => c.Queue(queue.Definition)
                .Consume<SlowProbe, SlowConsumer>()
                .Configure(o =>
                {
                    o.MaxConcurrency = 1;
                    o.DepthPollInterval = TimeSpan.FromSeconds(1);
                }));
        });
        var log = app.Services.GetRequiredService<ProbeLog>();
        var store = app.Services.GetRequiredService<IEventStore>();
        for (var i = 0; i < 3; i++)
            await store.AppendAsync(new StreamId($"probe-{Guid.NewGuid():D}"), ExpectedVersion.NoStream, [new SlowProbe(Guid.NewGuid())], Metadata());
        await Aws.Sqs.SendMessageAsync(queue.DeadLetterUrl, "{}");
        await Eventually.HoldsAsync(async () => await Aws.MessagesInAsync(queue.Url) == 3, Patience, "three messages wait");

        await app.StartAsync();
        try
        {
            await log.SlowHandlerStarted.Task.WaitAsync(Patience);
            var name = queue.Definition.Name;
            await Eventually.HoldsAsync(
                () => metrics.Gauge("healthflow.queue.depth", name) == 2
                    && metrics.Gauge("healthflow.queue.in_flight", name) == 1
                    && metrics.Gauge("healthflow.queue.dead_letters", name) == 1,
                Patience, "the gauges show one message in flight, two waiting and one dead letter");
            Assert.True(metrics.Gauge("healthflow.consumer.lag", name) > 0, "the oldest message had waited before it was received");

            log.ReleaseSlowHandler.TrySetResult();
            await Eventually.HoldsAsync(() => metrics.Total("healthflow.consumer.messages.handled", name) == 3, Patience, "all three are handled");
        }
        finally
        {
            log.ReleaseSlowHandler.TrySetResult();
            await app.StopAsync();
        }
    }

    [AdapterFact]
    public async Task An_event_no_consumer_reads_goes_to_the_DLQ_and_is_consumed_once_redriven_to_a_consumer_that_reads_it()
    {
        var queue = await Aws.CreateRoutedQueueAsync("unknown", nameof(UnsubscribedProbe), visibilityTimeout: TimeSpan.FromSeconds(30));
        using var metrics = new MetricRecorder();
        Guid eventId;
        using (var app = Aws.CreateHost(b =>
        {
            b.Services.AddSingleton<ProbeLog>();
            b.Services.AddEventConsumers(c => c.Queue(queue.Definition).Consume<DlqProbe, AlwaysFailingConsumer>());
        }))
        {
            await app.StartAsync();
            try
            {
                var appended = await app.Services.GetRequiredService<IEventStore>()
                    .AppendAsync(new StreamId($"probe-{Guid.NewGuid():D}"), ExpectedVersion.NoStream, [new UnsubscribedProbe(Guid.NewGuid())], Metadata());
                eventId = appended.Events[0].EventId;

                // Released at once on every receive (not after the 30 s visibility timeout), so SQS dead-letters it after five.
                await Eventually.HoldsAsync(async () => await Aws.MessagesInAsync(queue.DeadLetterUrl) == 1, Patience, "the event is dead-lettered");
                Assert.Equal(HealthFlowTopology.MaxReceiveCount, metrics.Total("healthflow.consumer.messages.unknown", queue.Definition.Name));
                Assert.Equal(0, await Aws.MessagesInAsync(queue.Url));
            }
            finally
            {
                await app.StopAsync();
            }
        }

        // The operator deploys a consumer for the type, then redrives the DLQ.
        using var fixedApp = Aws.CreateHost(b =>
        {
            b.Services.AddSingleton<ProbeLog>();
            b.Services.AddEventConsumers(c => c.Queue(queue.Definition).Consume<UnsubscribedProbe, LateConsumer>());
        });
        var log = fixedApp.Services.GetRequiredService<ProbeLog>();
        await fixedApp.StartAsync();
        try
        {
            var redrive = await new HealthFlow.Cli.Redrive.DeadLetterRedriver(Aws.Sqs)
                .RedriveAsync(queue.Definition.Name, queue.Definition.DeadLetterQueueName, dryRun: false, maxMessages: null, CancellationToken.None);

            Assert.Equal(1, redrive.Moved);
            await Eventually.HoldsAsync(() => log.Deliveries(eventId) == 1, Patience, "the redriven event is consumed");
            await Eventually.HoldsAsync(async () => await Aws.MessagesInAsync(queue.Url) == 0, Patience, "and deleted");
            Assert.Equal(0, await Aws.MessagesInAsync(queue.DeadLetterUrl));
        }
        finally
        {
            await fixedApp.StopAsync();
        }
    }

    [AdapterFact]
    public async Task Provisioning_again_keeps_the_topology_as_defined()
    {
        await Aws.Provisioner.ProvisionAsync();

        var tables = (await Aws.Dynamo.ListTablesAsync(new ListTablesRequest())).TableNames;
        AssertNonEmpty.All(HealthFlowTopology.Tables.All, t => Assert.Contains(t.Name, tables));
        var events = (await Aws.Dynamo.DescribeTableAsync(HealthFlowTopology.Tables.Events.Name)).Table;
        Assert.Equal(HealthFlowTopology.Indexes.Outbox, Assert.Single(events.GlobalSecondaryIndexes).IndexName);

        foreach (var queue in HealthFlowTopology.Queues.All)
        {
            var url = (await Aws.Sqs.GetQueueUrlAsync(queue.Name)).QueueUrl;
            var deadLetterUrl = (await Aws.Sqs.GetQueueUrlAsync(queue.DeadLetterQueueName)).QueueUrl;
            var attributes = await Aws.Sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = ["All"] });
            var deadLetterArn = (await Aws.Sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = deadLetterUrl, AttributeNames = ["QueueArn"] })).QueueARN;
            using var redrive = JsonDocument.Parse(attributes.Attributes["RedrivePolicy"]);
            Assert.Equal(deadLetterArn, redrive.RootElement.GetProperty("deadLetterTargetArn").GetString());
            Assert.Equal("5", redrive.RootElement.GetProperty("maxReceiveCount").ToString());
            Assert.Equal((int)queue.VisibilityTimeout.TotalSeconds, attributes.VisibilityTimeout);
        }

        foreach (var rule in HealthFlowTopology.Rules.All)
        {
            var targets = (await Aws.Events.ListTargetsByRuleAsync(new EventBridge.ListTargetsByRuleRequest(rule.Name, rule.EventBusName))).Targets;
            Assert.EndsWith(":" + rule.Target.Name, Assert.Single(targets).Arn);
        }
    }

    private async Task<Dictionary<string, AttributeValue>> GetCommitAsync(StreamId stream, long version)
    {
        var response = await Aws.Dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = HealthFlowTopology.Tables.Events.Name,
            Key = new()
            {
                ["streamId"] = new AttributeValue { S = stream.Value },
                ["version"] = new AttributeValue { N = version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            },
            ConsistentRead = true,
        });
        Assert.True(response.IsItemSet, $"commit {stream}@{version} exists");
        return response.Item;
    }

    /// <summary>Counts what it is asked to publish, and publishes nothing.</summary>
    private sealed class CountingPublisher : IEventPublisher
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, int> _published = new();

        public int TimesPublished(Guid eventId) => _published.GetValueOrDefault(eventId);

        public Task PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken = default)
        {
            foreach (var e in events)
                _published.AddOrUpdate(e.EventId, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }
    }

    /// <summary>Holds every publish until released: the bus is slow.</summary>
    private sealed class HeldPublisher : IEventPublisher
    {
        private int _published;

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Published => Volatile.Read(ref _published);

        public async Task PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken = default)
        {
            Started.TrySetResult();
            await Release.Task;
            Interlocked.Increment(ref _published);
        }
    }

    private sealed class ShiftedTime(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + ahead;
    }

    /// <summary>EventBridge takes the call and refuses every entry in it (as it does an entry it cannot route right now).</summary>
    private sealed class BusRefusesEveryEntry : IEventPublisher
    {
        public Task PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken = default) =>
            throw new EventPublishException("EventBridge rejected every event.");

        public Task<IReadOnlyList<CommitPublishOutcome>> PublishCommitsAsync(IReadOnlyList<IReadOnlyList<EventEnvelope>> commits, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<CommitPublishOutcome>>([.. commits.Select(_ => new CommitPublishOutcome.EntryFailed("InternalFailure: refused"))]);
    }

    /// <summary>Holds every removal of an outbox mark until released: the removals are far behind (saturation).</summary>
    private class HeldClearsDynamo : ClientProxy<Amazon.DynamoDBv2.IAmazonDynamoDB>
    {
        public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static (Amazon.DynamoDBv2.IAmazonDynamoDB Client, HeldClearsDynamo Proxy) Wrap(Amazon.DynamoDBv2.IAmazonDynamoDB inner) => Create<HeldClearsDynamo>(inner);

        protected override object? Intercept(System.Reflection.MethodInfo method, object?[]? args) =>
            method.Name == nameof(Amazon.DynamoDBv2.IAmazonDynamoDB.UpdateItemAsync) && args is [UpdateItemRequest { UpdateExpression: "REMOVE #pending" } request, CancellationToken cancellationToken]
                ? HoldAsync(request, cancellationToken)
                : null;

        private async Task<UpdateItemResponse> HoldAsync(UpdateItemRequest request, CancellationToken cancellationToken)
        {
            Held.TrySetResult();
            await Release.Task;
            return await Inner.UpdateItemAsync(request, cancellationToken);
        }
    }

    /// <summary>The fault injected for "the process died between the append and the publish".</summary>
    private sealed class ProcessDiesBeforePublishing : IEventPublisher
    {
        public Task PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken = default) =>
            throw new OperationCanceledException("The process was killed before it could publish.");
    }
}

public sealed class LocalAwsAdapterTests(LocalAwsFixture aws) : AdapterSuite<LocalAwsFixture>(aws);

[RequiresDocker]
public sealed class LocalStackAdapterTests(LocalStackFixture aws) : AdapterSuite<LocalStackFixture>(aws);
