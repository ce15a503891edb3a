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
