using HealthFlow.Domain;
using HealthFlow.Domain.CareTeams;
using HealthFlow.Domain.Events;
using Microsoft.Extensions.Options;

namespace HealthFlow.ReadModels.Projections;

/// <summary>Section "CareTeams" of the projections worker.</summary>
public sealed class CareTeamProjectionOptions
{
    public const string SectionName = "CareTeams";

    /// <summary>
    /// Every newly registered patient joins "Demo ward" (the local demo); off, new patients join no team until an
    /// admin assigns them. The join is derived from PatientRegistered, so replay rebuilds it; command-api's setting
    /// of the same name must agree, as it decides an admin's removal against the join.
    /// </summary>
    public bool NewPatientsJoinDemoWard { get; set; }
}

/// <summary>
/// Care-team events → `care-teams`. Each membership event sets one (team, member) register, stamped with the
/// stream version of the event (<see cref="CareTeamReadModel.VersionKey"/>); an older stamp never overwrites a newer
/// one, so the read model converges whatever order SQS delivers in, and the order is the team stream's, not that of
/// the clocks of the hosts that wrote the events. A registration's default-team join is no event of the team's
/// stream: it only creates a member item that none of the team's events has written, so any assignment or removal
/// of that patient wins over it, in any delivery order and on replay (as command-api decides, DemoWard.JoinedByDefault).
/// </summary>
public sealed class CareTeamProjection(CareTeamReadModel teams, IOptions<CareTeamProjectionOptions> options) : IReadModelProjection
{
    public const string ReadModelName = "care-teams";

    public string Name => ReadModelName;

    public IReadOnlySet<string> EventTypes { get; } = new HashSet<string>([.. Domain.Events.EventTypes.CareTeam, Domain.Events.EventTypes.PatientRegistered]);

    public async Task<ProjectionOutcome> ApplyAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        var stamp = CareTeamReadModel.VersionKey(envelope.Version);
        var applied = envelope.Type switch
        {
            Domain.Events.EventTypes.CareTeamCreated when envelope.DataAs<CareTeamCreated>() is var e =>
                await teams.ApplyCreatedAsync(e.CareTeamId, e.Name, stamp, cancellationToken),
            Domain.Events.EventTypes.ClinicianAssignedToCareTeam when envelope.DataAs<ClinicianAssignedToCareTeam>() is var e =>
                await teams.ApplyMembershipAsync(e.CareTeamId, CareTeamReadModel.ClinicianPrefix + CareTeam.ClinicianIdOf(e.ClinicianId), true, stamp, cancellationToken),
            Domain.Events.EventTypes.ClinicianRemovedFromCareTeam when envelope.DataAs<ClinicianRemovedFromCareTeam>() is var e =>
                await teams.ApplyMembershipAsync(e.CareTeamId, CareTeamReadModel.ClinicianPrefix + CareTeam.ClinicianIdOf(e.ClinicianId), false, stamp, cancellationToken),
            Domain.Events.EventTypes.PatientAssignedToCareTeam when envelope.DataAs<PatientAssignedToCareTeam>() is var e =>
                await teams.ApplyMembershipAsync(e.CareTeamId, CareTeamReadModel.PatientPrefix + e.PatientId.ToString("D"), true, stamp, cancellationToken),
            Domain.Events.EventTypes.PatientRemovedFromCareTeam when envelope.DataAs<PatientRemovedFromCareTeam>() is var e =>
                await teams.ApplyMembershipAsync(e.CareTeamId, CareTeamReadModel.PatientPrefix + e.PatientId.ToString("D"), false, stamp, cancellationToken),
            Domain.Events.EventTypes.PatientRegistered when options.Value.NewPatientsJoinDemoWard && envelope.DataAs<PatientRegistered>() is var e =>
                await teams.ApplyDefaultJoinAsync(DemoWard.Id, CareTeamReadModel.PatientPrefix + e.PatientId.ToString("D"), cancellationToken),
            _ => (bool?)null,
        };
        return applied switch
        {
            true => ProjectionOutcome.Applied,
            false => ProjectionOutcome.Duplicate,
            null => ProjectionOutcome.Ignored,
        };
    }
}
