using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using Microsoft.Extensions.Options;

namespace HealthFlow.Aws.ReadModels.Projections;

/// <summary>Section "CareTeams" of the projections worker.</summary>
public sealed class CareTeamProjectionOptions
{
    public const string SectionName = "CareTeams";

    /// <summary>
    /// Every newly registered patient joins "Demo ward" (the local demo); off, new patients join no team until an
    /// admin assigns them. The join is derived from PatientRegistered, so replay rebuilds it.
    /// </summary>
    public bool NewPatientsJoinDemoWard { get; set; }
}

/// <summary>
/// Care-team events → `care-teams`. Each membership event sets one (team, member) register, stamped with the
/// event's occurredAt#eventId; an older stamp never overwrites a newer one, so the read model converges
/// whatever order SQS delivers in, and a registration's default-team join orders against later removals.
/// </summary>
public sealed class CareTeamProjection(CareTeamReadModel teams, IOptions<CareTeamProjectionOptions> options) : IReadModelProjection
{
    public const string ReadModelName = "care-teams";

    public string Name => ReadModelName;

    public IReadOnlySet<string> EventTypes { get; } = new HashSet<string>([.. Domain.Events.EventTypes.CareTeam, Domain.Events.EventTypes.PatientRegistered]);

    public async Task<ProjectionOutcome> ApplyAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        var stamp = CareTeamReadModel.ChangeKey(envelope.OccurredAt, envelope.EventId);
        var applied = envelope.Type switch
        {
            Domain.Events.EventTypes.CareTeamCreated when envelope.DataAs<CareTeamCreated>() is var e =>
                await teams.ApplyCreatedAsync(e.CareTeamId, e.Name, stamp, cancellationToken),
            Domain.Events.EventTypes.ClinicianAssignedToCareTeam when envelope.DataAs<ClinicianAssignedToCareTeam>() is var e =>
                await teams.ApplyMembershipAsync(e.CareTeamId, CareTeamReadModel.ClinicianPrefix + e.ClinicianId, true, stamp, cancellationToken),
            Domain.Events.EventTypes.ClinicianRemovedFromCareTeam when envelope.DataAs<ClinicianRemovedFromCareTeam>() is var e =>
                await teams.ApplyMembershipAsync(e.CareTeamId, CareTeamReadModel.ClinicianPrefix + e.ClinicianId, false, stamp, cancellationToken),
            Domain.Events.EventTypes.PatientAssignedToCareTeam when envelope.DataAs<PatientAssignedToCareTeam>() is var e =>
                await teams.ApplyMembershipAsync(e.CareTeamId, CareTeamReadModel.PatientPrefix + e.PatientId.ToString("D"), true, stamp, cancellationToken),
            Domain.Events.EventTypes.PatientRemovedFromCareTeam when envelope.DataAs<PatientRemovedFromCareTeam>() is var e =>
                await teams.ApplyMembershipAsync(e.CareTeamId, CareTeamReadModel.PatientPrefix + e.PatientId.ToString("D"), false, stamp, cancellationToken),
            Domain.Events.EventTypes.PatientRegistered when options.Value.NewPatientsJoinDemoWard && envelope.DataAs<PatientRegistered>() is var e =>
                await teams.ApplyMembershipAsync(Domain.CareTeams.DemoWard.Id, CareTeamReadModel.PatientPrefix + e.PatientId.ToString("D"), true, stamp, cancellationToken),
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
