using System.Collections.Concurrent;
using System.Reflection;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Aws.Tests.Infrastructure;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;
using HealthFlow.PatientAccess;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HealthFlow.Aws.Tests;

/// <summary>The audit trail's group commits against a real event store (LocalAws).</summary>
public sealed class AuditTrailTests(LocalAwsFixture aws) : IClassFixture<LocalAwsFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Six_disclosures_each_too_large_to_list_id_by_id_are_all_stored_with_their_count_types_and_the_ids_that_fit()
    {
        var published = new CapturingPublisher();
        using var app = aws.CreateHost(b => b.Services.Replace(ServiceDescriptor.Singleton<IEventPublisher>(published)));
        using var trail = await StartTrailAsync(app.Services.GetRequiredService<IEventStore>());
        // About 600 KB of ids each: over DynamoDB's 400 KB item and EventBridge's 256 KB entry on its own.
        var records = Enumerable.Range(0, 6).Select(_ => LargeDisclosure(observations: 10_000)).ToList();

        await Task.WhenAll(records.Select(r => trail.RecordAsync([r], CancellationToken.None)));

        var store = app.Services.GetRequiredService<IEventStore>();
        foreach (var record in records)
        {
            var envelope = await Eventually.ReturnsAsync(() => Task.FromResult(published.Find(record.RecordId)), Patience, $"record {record.RecordId} is published");
            var stored = (await store.ReadStreamAsync(new StreamId(envelope.StreamId)).ToListAsync())
                .Select(e => e.DataAs<PatientDataAccessed>()).Single(r => r.RecordId == record.RecordId);
            Assert.Equal((10_001, "GET /fhir/r4/Patient/{patientId}/$everything", $"/fhir/r4/Patient/{record.PatientId}/$everything"),
                (stored.Count, stored.Action, stored.Query));
            Assert.Equal(new Dictionary<string, int> { ["Observation"] = 10_000, ["Patient"] = 1 }, stored.ResourceTypes);
            Assert.NotEmpty(stored.ResourceIds);
            Assert.Equal(record.ResourceIds.Take(stored.ResourceIds.Count), stored.ResourceIds);
            Assert.Equal(10_001 - stored.ResourceIds.Count, stored.ResourceIdsOmitted);
        }
    }

    [Fact]
    public async Task A_commit_whose_reply_was_lost_is_recognised_as_stored_on_retry_and_published_once()
    {
        var published = new CapturingPublisher();
        using var app = aws.CreateHost(b =>
        {
            b.Services.Replace(ServiceDescriptor.Singleton(LostFirstReplyDynamo.Wrap(aws.Dynamo)));
            b.Services.Replace(ServiceDescriptor.Singleton<IEventPublisher>(published));
        });
        using var trail = await StartTrailAsync(app.Services.GetRequiredService<IEventStore>());
        var record = SmallDisclosure();

        await trail.RecordAsync([record], CancellationToken.None);

        var envelope = await Eventually.ReturnsAsync(() => Task.FromResult(published.Find(record.RecordId)), Patience, "the record is published");
        var stored = Assert.Single(await app.Services.GetRequiredService<IEventStore>().ReadStreamAsync(new StreamId(envelope.StreamId)).ToListAsync());
        Assert.Equal(stored.EventId, envelope.EventId);
        Assert.Equal(1, published.TimesPublished(record.RecordId));
    }

    [Fact]
    public async Task A_commit_the_store_refuses_for_good_is_answered_once_and_frees_its_slot_for_the_next()
    {
        var published = new CapturingPublisher();
        using var app = aws.CreateHost(b =>
        {
            b.Services.Replace(ServiceDescriptor.Singleton(RefusesFirstPutDynamo.Wrap(aws.Dynamo)));
            b.Services.Replace(ServiceDescriptor.Singleton<IEventPublisher>(published));
        });
        using var trail = await StartTrailAsync(app.Services.GetRequiredService<IEventStore>(), new AuditOptions { MaxCommitsInFlight = 1 });

        await Assert.ThrowsAsync<AuditUnavailableException>(() => trail.RecordAsync([SmallDisclosure()], CancellationToken.None));
        var next = SmallDisclosure();
        await trail.RecordAsync([next], CancellationToken.None);

        await Eventually.ReturnsAsync(() => Task.FromResult(published.Find(next.RecordId)), Patience, "the next record is stored and published");
    }

    private static async Task<StartedTrail> StartTrailAsync(IEventStore store, AuditOptions? options = null)
    {
        var trail = new AuditTrail(store, Options.Create(options ?? new AuditOptions()), NullLogger<AuditTrail>.Instance);
        await trail.StartAsync(CancellationToken.None);
        return new StartedTrail(trail);
    }

    private static PatientDataAccessed LargeDisclosure(int observations)
    {
        var patientId = Guid.NewGuid();
        var ids = new List<string> { $"Patient/{patientId}" };
        ids.AddRange(Enumerable.Range(0, observations).Select(_ => $"Observation/{Guid.NewGuid()}-heart-rate"));
        return new PatientDataAccessed(Guid.CreateVersion7(), "clinician1", "clinician", patientId, "GET /fhir/r4/Patient/{patientId}/$everything",
            ids, ids.Count, "allowed", "203.0.113.7", DateTimeOffset.UtcNow, "corr-" + Guid.NewGuid().ToString("N"),
            Query: $"/fhir/r4/Patient/{patientId}/$everything");
    }

    private static PatientDataAccessed SmallDisclosure()
    {
        var patientId = Guid.NewGuid();
        return new PatientDataAccessed(Guid.CreateVersion7(), "clinician1", "clinician", patientId, "GET /api/patients/{patientId}",
            [patientId.ToString()], 1, "allowed", null, DateTimeOffset.UtcNow, "corr-" + Guid.NewGuid().ToString("N"));
    }

    private sealed class StartedTrail(AuditTrail trail) : IDisposable
    {
        public Task RecordAsync(IReadOnlyList<PatientDataAccessed> records, CancellationToken cancellationToken) => trail.RecordAsync(records, cancellationToken);

        public void Dispose()
        {
            trail.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
            trail.Dispose();
        }
    }

    /// <summary>Keeps every envelope it is asked to publish, and publishes nothing.</summary>
    private sealed class CapturingPublisher : IEventPublisher
    {
        private readonly ConcurrentQueue<EventEnvelope> _published = new();

        public EventEnvelope? Find(Guid recordId) =>
            _published.FirstOrDefault(e => e.Type == EventTypes.PatientDataAccessed && e.DataAs<PatientDataAccessed>().RecordId == recordId);

        public int TimesPublished(Guid recordId) =>
            _published.Count(e => e.Type == EventTypes.PatientDataAccessed && e.DataAs<PatientDataAccessed>().RecordId == recordId);

        public Task PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken = default)
        {
            foreach (var e in events)
                _published.Enqueue(e);
            return Task.CompletedTask;
        }
    }

    /// <summary>The first PutItem lands, but its reply is lost: the caller sees an error and tries again.</summary>
    private class LostFirstReplyDynamo : ClientProxy<IAmazonDynamoDB>
    {
        private int _lost;

        public static IAmazonDynamoDB Wrap(IAmazonDynamoDB inner) => Create<LostFirstReplyDynamo>(inner).Client;

        protected override object? Intercept(MethodInfo method, object?[]? args) =>
            method.Name == nameof(IAmazonDynamoDB.PutItemAsync) && args is [PutItemRequest request, CancellationToken cancellationToken]
                && Interlocked.Exchange(ref _lost, 1) == 0
                ? LoseReplyAsync(request, cancellationToken)
                : null;

        private async Task<PutItemResponse> LoseReplyAsync(PutItemRequest request, CancellationToken cancellationToken)
        {
            await Inner.PutItemAsync(request, cancellationToken);
            throw new HttpRequestException("The connection was reset before the reply arrived.");
        }
    }

    /// <summary>Refuses the first PutItem as DynamoDB refuses an item it can never store.</summary>
    private class RefusesFirstPutDynamo : ClientProxy<IAmazonDynamoDB>
    {
        private int _refused;

        public static IAmazonDynamoDB Wrap(IAmazonDynamoDB inner) => Create<RefusesFirstPutDynamo>(inner).Client;

        protected override object? Intercept(MethodInfo method, object?[]? args) =>
            method.Name == nameof(IAmazonDynamoDB.PutItemAsync) && Interlocked.Exchange(ref _refused, 1) == 0
                ? Task.FromException<PutItemResponse>(new AmazonDynamoDBException("Item size has exceeded the maximum allowed size")
                {
                    ErrorCode = "ValidationException",
                    StatusCode = System.Net.HttpStatusCode.BadRequest,
                })
                : null;
    }
}
