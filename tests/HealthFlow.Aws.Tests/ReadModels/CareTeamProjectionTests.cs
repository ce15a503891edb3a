using System.Text.Json;
using HealthFlow.Aws.Tests.Infrastructure;
using HealthFlow.Domain;
using HealthFlow.Domain.CareTeams;
using HealthFlow.Domain.Events;
using HealthFlow.ReadModels;
using HealthFlow.ReadModels.Projections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HealthFlow.Aws.Tests.ReadModels;

/// <summary>
/// The care-team projection against LocalAws, fed envelopes as SQS may deliver them: out of order, again, and
/// written by hosts whose clocks disagree.
/// </summary>
public sealed class CareTeamProjectionTests(LocalAwsFixture aws) : IClassFixture<LocalAwsFixture>, IDisposable
{
    private static readonly DateTimeOffset T = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly IHost _app = aws.CreateHost(b => b.Services.AddHealthFlowProjections());

    private CareTeamReadModel Teams => _app.Services.GetRequiredService<CareTeamReadModel>();

    private CareTeamProjection Projection(bool newPatientsJoinDemoWard = false) =>
        new(Teams, Options.Create(new CareTeamProjectionOptions { NewPatientsJoinDemoWard = newPatientsJoinDemoWard }));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_removal_from_a_host_whose_clock_is_behind_still_removes_the_patient()
    {
        var team = Guid.NewGuid();
        var patient = Guid.NewGuid();
        var projection = Projection();

        await projection.ApplyAsync(Envelope(team, 1, T, new CareTeamCreated(team, "Ward 7", "admin1", T)), default);
        await projection.ApplyAsync(Envelope(team, 2, T.AddMinutes(5), new PatientAssignedToCareTeam(team, patient, "admin1", T)), default);
        await projection.ApplyAsync(Envelope(team, 3, T.AddMinutes(1), new PatientRemovedFromCareTeam(team, patient, "admin1", T)), default);

        Assert.DoesNotContain(patient, await Teams.PatientsOfTeamAsync(team, default));
    }

    [Fact]
    public async Task An_assignment_delivered_again_after_the_later_removal_does_not_bring_the_patient_back()
    {
        var team = Guid.NewGuid();
        var patient = Guid.NewGuid();
        var projection = Projection();
        var assigned = Envelope(team, 2, T.AddMinutes(1), new PatientAssignedToCareTeam(team, patient, "admin1", T));

        await projection.ApplyAsync(Envelope(team, 1, T, new CareTeamCreated(team, "Ward 7", "admin1", T)), default);
        await projection.ApplyAsync(assigned, default);
        Assert.Equal(ProjectionOutcome.Applied, await projection.ApplyAsync(Envelope(team, 3, T.AddMinutes(2), new PatientRemovedFromCareTeam(team, patient, "admin1", T)), default));
        Assert.Equal(ProjectionOutcome.Duplicate, await projection.ApplyAsync(assigned, default));

        Assert.DoesNotContain(patient, await Teams.PatientsOfTeamAsync(team, default));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_patient_removed_from_the_default_team_stays_removed_whichever_arrives_first(bool registrationFirst)
    {
        var patient = Guid.NewGuid();
        var projection = Projection(newPatientsJoinDemoWard: true);
        // auth-api's clock is ahead of command-api's: the removal carries the earlier time.
        var registered = new EventEnvelope(Guid.NewGuid(), StreamId.ForPatient(patient).Value, 1, EventTypes.PatientRegistered, T.AddMinutes(3),
            Data(new PatientRegistered(patient, "p" + patient.ToString("N")[..8], "Ada Lovelace", T)), Metadata());
        var removed = Envelope(DemoWard.Id, 7, T, new PatientRemovedFromCareTeam(DemoWard.Id, patient, "admin1", T));

        foreach (var envelope in registrationFirst ? new[] { registered, removed } : [removed, registered])
        {
            await projection.ApplyAsync(envelope, default);
        }

        Assert.DoesNotContain(patient, await Teams.PatientsOfTeamAsync(DemoWard.Id, default));
    }

    [Fact]
    public async Task A_new_patient_joins_the_default_team_once_and_a_redelivery_changes_nothing()
    {
        var patient = Guid.NewGuid();
        var projection = Projection(newPatientsJoinDemoWard: true);
        var registered = new EventEnvelope(Guid.NewGuid(), StreamId.ForPatient(patient).Value, 1, EventTypes.PatientRegistered, T,
            Data(new PatientRegistered(patient, "p" + patient.ToString("N")[..8], "Ada Lovelace", T)), Metadata());

        Assert.Equal(ProjectionOutcome.Applied, await projection.ApplyAsync(registered, default));
        Assert.Equal(ProjectionOutcome.Duplicate, await projection.ApplyAsync(registered, default));

        Assert.Contains(patient, await Teams.PatientsOfTeamAsync(DemoWard.Id, default));
    }

    [Fact]
    public async Task A_clinician_id_stored_in_another_letter_case_gives_the_clinician_their_team()
    {
        var team = Guid.NewGuid();
        var username = "c" + Guid.NewGuid().ToString("N")[..10];
        var projection = Projection();

        await projection.ApplyAsync(Envelope(team, 1, T, new CareTeamCreated(team, "Ward 7", "admin1", T)), default);
        await projection.ApplyAsync(Envelope(team, 2, T, new ClinicianAssignedToCareTeam(team, username.ToUpperInvariant(), "admin1", T)), default);

        Assert.Equal([team], await Teams.TeamsOfClinicianAsync(username, default));
        Assert.Equal([username], (await Teams.GetAsync(team, default))!.Clinicians);
    }

    private static EventEnvelope Envelope(Guid team, long version, DateTimeOffset occurredAt, IDomainEvent e) =>
        new(Guid.NewGuid(), StreamId.ForCareTeam(team).Value, version, EventTypes.Of(e), occurredAt, Data(e), Metadata());

    private static JsonElement Data(IDomainEvent e) => JsonSerializer.SerializeToElement(e, e.GetType(), DomainJson.Options);

    private static EventMetadata Metadata() => new(Guid.NewGuid().ToString(), null, "admin1", null, null);
}
