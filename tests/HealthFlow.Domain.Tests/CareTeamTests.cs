using System.Text.Json;
using HealthFlow.Domain;
using HealthFlow.Domain.CareTeams;
using HealthFlow.Domain.Events;

namespace HealthFlow.Domain.Tests;

public sealed class CareTeamTests
{
    private static readonly Guid TeamId = Guid.NewGuid();
    private static readonly DateTimeOffset At = new(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);

    private static EventEnvelope Envelope(IDomainEvent e, long version) => new(
        Guid.NewGuid(), StreamId.ForCareTeam(TeamId).Value, version, EventTypes.Of(e), At,
        JsonSerializer.SerializeToElement(e, e.GetType(), DomainJson.Options), new EventMetadata("c", null, "admin1", null, null));

    private static CareTeam Fold(params IDomainEvent[] events) => CareTeam.From(events.Select((e, i) => Envelope(e, i + 1)))!;

    [Fact]
    public void A_stream_without_CareTeamCreated_is_an_unknown_team()
    {
        Assert.Null(CareTeam.From([]));
    }

    [Fact]
    public void Members_follow_the_assignments_and_removals_in_order()
    {
        var patient = Guid.NewGuid();
        var team = Fold(
            new CareTeamCreated(TeamId, "Ward 7", "admin1", At),
            new ClinicianAssignedToCareTeam(TeamId, "alice", "admin1", At),
            new PatientAssignedToCareTeam(TeamId, patient, "admin1", At),
            new ClinicianAssignedToCareTeam(TeamId, "bob", "admin1", At),
            new ClinicianRemovedFromCareTeam(TeamId, "alice", "admin1", At));

        Assert.Equal("Ward 7", team.Name);
        Assert.Equal(["bob"], team.Clinicians);
        Assert.Equal([patient], team.Patients);
    }

    [Fact]
    public void Assigning_a_member_twice_or_removing_a_stranger_decides_nothing()
    {
        var patient = Guid.NewGuid();
        var team = Fold(new CareTeamCreated(TeamId, "Ward 7", "admin1", At), new PatientAssignedToCareTeam(TeamId, patient, "admin1", At));

        Assert.Null(team.AssignPatient(patient, "admin1", At));
        Assert.Null(team.RemoveClinician("alice", "admin1", At));
        Assert.IsType<PatientRemovedFromCareTeam>(team.RemovePatient(patient, "admin1", At));
        Assert.IsType<ClinicianAssignedToCareTeam>(team.AssignClinician("alice", "admin1", At));
    }

    [Fact]
    public void A_clinician_removed_under_another_letter_case_is_removed()
    {
        var team = Fold(new CareTeamCreated(TeamId, "Ward 7", "admin1", At), new ClinicianAssignedToCareTeam(TeamId, "grace", "admin1", At));

        var removed = Assert.IsType<ClinicianRemovedFromCareTeam>(team.RemoveClinician("GRACE", "admin1", At));

        Assert.Equal("grace", removed.ClinicianId);
        Assert.Empty(Fold(new CareTeamCreated(TeamId, "Ward 7", "admin1", At), new ClinicianAssignedToCareTeam(TeamId, "grace", "admin1", At), removed).Clinicians);
    }

    [Fact]
    public void A_clinician_assigned_under_another_letter_case_is_the_same_member_as_the_username()
    {
        var team = Fold(new CareTeamCreated(TeamId, "Ward 7", "admin1", At));

        var assigned = Assert.IsType<ClinicianAssignedToCareTeam>(team.AssignClinician("Grace", "admin1", At));

        Assert.Equal("grace", assigned.ClinicianId);
        Assert.Null(Fold(new CareTeamCreated(TeamId, "Ward 7", "admin1", At), assigned).AssignClinician("grace", "admin1", At));
    }

    [Fact]
    public void Clinician_ids_stored_in_another_case_by_older_commands_fold_to_the_username()
    {
        // Streams written before ids were normalised hold them as the admin typed them.
        var team = Fold(
            new CareTeamCreated(TeamId, "Ward 7", "admin1", At),
            new ClinicianAssignedToCareTeam(TeamId, "Grace", "admin1", At),
            new ClinicianAssignedToCareTeam(TeamId, "ALAN", "admin1", At),
            new ClinicianRemovedFromCareTeam(TeamId, "grace", "admin1", At));

        Assert.Equal(["alan"], team.Clinicians);
        Assert.IsType<ClinicianRemovedFromCareTeam>(team.RemoveClinician("alan", "admin1", At));
    }

    [Fact]
    public void A_patient_who_joined_the_default_team_on_registration_is_removed_by_an_event_on_its_stream()
    {
        var patient = Guid.NewGuid();
        var ward = Fold(new CareTeamCreated(TeamId, "Demo ward", "seed", At));

        Assert.True(ward.HasPatient(patient, joinedByDefault: true));
        Assert.Null(ward.AssignPatient(patient, "admin1", At, joinedByDefault: true));
        var removed = Assert.IsType<PatientRemovedFromCareTeam>(ward.RemovePatient(patient, "admin1", At, joinedByDefault: true));

        var after = Fold(new CareTeamCreated(TeamId, "Demo ward", "seed", At), removed);
        Assert.False(after.HasPatient(patient, joinedByDefault: true));
        Assert.Null(after.RemovePatient(patient, "admin1", At, joinedByDefault: true));
        Assert.IsType<PatientAssignedToCareTeam>(after.AssignPatient(patient, "admin1", At, joinedByDefault: true));
    }

    [Fact]
    public void Without_the_default_join_a_patient_never_assigned_is_not_a_member()
    {
        var patient = Guid.NewGuid();
        var ward = Fold(new CareTeamCreated(TeamId, "Demo ward", "seed", At));

        Assert.False(ward.HasPatient(patient, joinedByDefault: false));
        Assert.Null(ward.RemovePatient(patient, "admin1", At));
    }

    [Fact]
    public void Membership_follows_the_stream_version_whatever_the_event_times_say()
    {
        // Written by hosts whose clocks disagree: the removal (version 3) carries the earlier time.
        var patient = Guid.NewGuid();
        var envelopes = new[]
        {
            Envelope(new CareTeamCreated(TeamId, "Ward 7", "admin1", At), 1) with { OccurredAt = At },
            Envelope(new PatientAssignedToCareTeam(TeamId, patient, "admin1", At), 2) with { OccurredAt = At.AddMinutes(5) },
            Envelope(new PatientRemovedFromCareTeam(TeamId, patient, "admin1", At), 3) with { OccurredAt = At.AddMinutes(1) },
        };

        Assert.Empty(CareTeam.From(envelopes)!.Patients);
        // Handed over out of order (pages merged, a cache): still the order of the stream.
        Assert.Empty(CareTeam.From([envelopes[0], envelopes[2], envelopes[1]])!.Patients);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("Ward\u00007", false)]
    [InlineData("  Ward 7  ", true)]
    public void A_team_name_is_1_to_100_visible_characters(string? name, bool valid)
    {
        var errors = CareTeam.ValidateName(name, out var trimmed);

        Assert.Equal(valid, errors.Count == 0);
        if (valid)
        {
            Assert.Equal("Ward 7", trimmed);
        }
        else
        {
            Assert.Contains(CareTeamFields.Name, errors.Keys);
        }
    }

    [Theory]
    [InlineData("clinician1", true)]
    [InlineData("Clinician 1", false)]
    [InlineData("x", false)]
    [InlineData(null, false)]
    public void A_clinician_id_is_a_username(string? clinicianId, bool valid)
    {
        Assert.Equal(valid, CareTeam.ValidateClinicianId(clinicianId).Count == 0);
    }
}
