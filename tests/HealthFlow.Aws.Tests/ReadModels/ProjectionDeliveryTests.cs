using System.Text.Json;
using HealthFlow.Aws.Tests.Infrastructure;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.ReadModels;
using HealthFlow.ReadModels.Projections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HealthFlow.Aws.Tests.ReadModels;

/// <summary>
/// The production audit and care-team projections against LocalAws, fed what SQS may deliver: the same event
/// again, a copy that differs from what was stored, and a stream's events in any order. The read model must end
/// the same as after one delivery of each, in order.
/// </summary>
public sealed class ProjectionDeliveryTests(LocalAwsFixture aws) : IClassFixture<LocalAwsFixture>, IDisposable
{
    private static readonly DateTimeOffset T = new(2026, 4, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly IHost _app = aws.CreateHost(b => b.Services.AddHealthFlowProjections());

    private AuditProjection Audit => _app.Services.GetRequiredService<AuditProjection>();

    private AuditReadModel AuditTrail => _app.Services.GetRequiredService<AuditReadModel>();

    private CareTeamReadModel Teams => _app.Services.GetRequiredService<CareTeamReadModel>();

    private CareTeamProjection CareTeams =>
        new(Teams, Options.Create(new CareTeamProjectionOptions { NewPatientsJoinDemoWard = false }));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task An_audit_record_delivered_again_is_stored_once_and_a_differing_copy_does_not_overwrite_it()
    {
        var patient = Guid.NewGuid();
        var record = Record(patient, "c-original", T, "allowed");
        var envelope = AuditEnvelope(record);

        Assert.Equal(ProjectionOutcome.Applied, await Audit.ApplyAsync(envelope, default));
        Assert.Equal(ProjectionOutcome.Duplicate, await Audit.ApplyAsync(envelope, default));
        // A copy under the same record id that says something else (another actor, another outcome): the trail keeps what it stored first.
        var forged = AuditEnvelope(record with { Actor = "c-forger", Outcome = "denied", ResourceIds = [], Count = 0 });
        Assert.Equal(ProjectionOutcome.Duplicate, await Audit.ApplyAsync(forged, default));

        var trail = await TrailOfAsync(patient);
        var stored = Assert.Single(trail);
        Assert.Equal((record.RecordId, "c-original", "allowed", string.Join(",", record.ResourceIds), record.Count),
            (stored.RecordId, stored.Actor, stored.Outcome, string.Join(",", stored.ResourceIds), stored.Count));
    }

    [Fact]
    public async Task Audit_records_delivered_reversed_shuffled_and_twice_give_the_same_trail_as_in_order()
    {
        var inOrder = Guid.NewGuid();
        var reversed = Guid.NewGuid();
        var shuffled = Guid.NewGuid();
        var accesses = Enumerable.Range(0, 12).Select(i => (Actor: $"c{i % 3}", At: T.AddSeconds(i), Outcome: i % 4 == 0 ? "denied" : "allowed")).ToList();
        IReadOnlyList<PatientDataAccessed> RecordsOf(Guid patient) => [.. accesses.Select(a => Record(patient, a.Actor, a.At, a.Outcome))];

        foreach (var record in RecordsOf(inOrder))
        {
            await Audit.ApplyAsync(AuditEnvelope(record), default);
        }

        foreach (var record in RecordsOf(reversed).Reverse())
        {
            await Audit.ApplyAsync(AuditEnvelope(record), default);
        }

        var twice = RecordsOf(shuffled);
        foreach (var record in twice.Concat(twice).OrderBy(_ => Random.Shared.Next()))
        {
            await Audit.ApplyAsync(AuditEnvelope(record), default);
        }

        var expected = Comparable(await TrailOfAsync(inOrder));
        Assert.Equal(accesses.Count, expected.Count);
        Assert.Equal(expected, Comparable(await TrailOfAsync(reversed)));
        Assert.Equal(expected, Comparable(await TrailOfAsync(shuffled)));
    }

    [Fact]
    public async Task A_care_teams_events_delivered_reversed_or_shuffled_and_twice_give_the_same_team_as_in_order()
    {
        var (a, b, c) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var inOrder = await ProjectTeamAsync(events => events);
        Assert.Equal(("Ward 9", "c-bob", string.Join(",", new[] { a, c }.Order())), Comparable(inOrder));

        var reversed = await ProjectTeamAsync(events => events.Reverse());
        Assert.Equal(Comparable(inOrder), Comparable(reversed));
        for (var seed = 0; seed < 5; seed++)
        {
            var random = new Random(seed);
            var shuffled = await ProjectTeamAsync(events => events.Concat(events).OrderBy(_ => random.Next()));
            Assert.Equal(Comparable(inOrder), Comparable(shuffled));
        }

        // One team's history: members join, leave and come back; the last change of each member decides.
        async Task<CareTeamView> ProjectTeamAsync(Func<IEnumerable<EventEnvelope>, IEnumerable<EventEnvelope>> deliveryOrder)
        {
            var team = Guid.NewGuid();
            IDomainEvent[] history =
            [
                new CareTeamCreated(team, "Ward 9", "admin1", T),
                new ClinicianAssignedToCareTeam(team, "c-ann", "admin1", T),
                new PatientAssignedToCareTeam(team, a, "admin1", T),
                new PatientAssignedToCareTeam(team, b, "admin1", T),
                new ClinicianAssignedToCareTeam(team, "c-bob", "admin1", T),
                new PatientRemovedFromCareTeam(team, a, "admin1", T),
                new ClinicianRemovedFromCareTeam(team, "c-ann", "admin1", T),
                new PatientAssignedToCareTeam(team, c, "admin1", T),
                new PatientAssignedToCareTeam(team, a, "admin1", T),
                new PatientRemovedFromCareTeam(team, b, "admin1", T),
            ];
            var envelopes = history.Select((e, i) => CareTeamEnvelope(team, i + 1, T.AddSeconds(i), e)).ToList();
            foreach (var envelope in deliveryOrder(envelopes))
            {
                await CareTeams.ApplyAsync(envelope, default);
            }

            var view = await Teams.GetAsync(team, default);
            Assert.NotNull(view);
            Assert.Equal(view.Patients.Order(), (await Teams.PatientsOfTeamAsync(team, default)).Order());
            return view;
        }
    }

    private static (string Name, string Clinicians, string Patients) Comparable(CareTeamView view) =>
        (view.Name, string.Join(",", view.Clinicians.Order()), string.Join(",", view.Patients.Order()));

    /// <summary>The trail without the patient id, which differs by test case on purpose.</summary>
    private static List<string> Comparable(IReadOnlyList<AuditRecordView> trail) =>
        [.. trail.Select(r => $"{r.Actor}|{r.Outcome}|{r.AccessedAt:O}|{r.Count}|{string.Join(",", r.ResourceIds)}")];

    private async Task<IReadOnlyList<AuditRecordView>> TrailOfAsync(Guid patient) =>
        (await AuditTrail.ListAsync(new AuditQuery(patient, null, null, null, 100, null), default)).Items;

    /// <summary>A record whose ids depend on the access alone, so the same access of two patients compares equal.</summary>
    private static PatientDataAccessed Record(Guid patient, string actor, DateTimeOffset at, string outcome) =>
        new(Guid.CreateVersion7(), actor, "clinician", patient, "GET /api/patients/{patientId}/observations",
            outcome == "allowed" ? [$"obs-{at:HHmmss}"] : [], outcome == "allowed" ? 1 : 0, outcome, "203.0.113.7", at, "corr-" + at.ToString("HHmmss"));

    private static EventEnvelope AuditEnvelope(PatientDataAccessed record) =>
        new(Guid.NewGuid(), StreamId.ForAuditBatch(Guid.CreateVersion7()).Value, 1, EventTypes.PatientDataAccessed, record.AccessedAt, Data(record), Metadata());

    private static EventEnvelope CareTeamEnvelope(Guid team, long version, DateTimeOffset occurredAt, IDomainEvent e) =>
        new(Guid.NewGuid(), StreamId.ForCareTeam(team).Value, version, EventTypes.Of(e), occurredAt, Data(e), Metadata());

    private static JsonElement Data(IDomainEvent e) => JsonSerializer.SerializeToElement(e, e.GetType(), DomainJson.Options);

    private static EventMetadata Metadata() => new(Guid.NewGuid().ToString(), null, "admin1", null, null);
}
