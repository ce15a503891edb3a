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
public sealed class CareTeamProjection(CareTeamReadModel teams, IOptions<CareTeamProjectionOptions> options)
    : ReadModelProjection,
        IProjects<CareTeamCreated>,
        IProjects<ClinicianAssignedToCareTeam>,
        IProjects<ClinicianRemovedFromCareTeam>,
        IProjects<PatientAssignedToCareTeam>,
        IProjects<PatientRemovedFromCareTeam>,
        IProjects<PatientRegistered>
{
    public const string ReadModelName = "care-teams";

    public override string Name => ReadModelName;

    public async Task<ProjectionOutcome> ApplyAsync(EventEnvelope<CareTeamCreated> envelope, CancellationToken cancellationToken) =>
        Outcome(await teams.ApplyCreatedAsync(envelope.Event.CareTeamId, envelope.Event.Name, Stamp(envelope), cancellationToken));

    public Task<ProjectionOutcome> ApplyAsync(EventEnvelope<ClinicianAssignedToCareTeam> envelope, CancellationToken cancellationToken) =>
        MembershipAsync(envelope, envelope.Event.CareTeamId, Clinician(envelope.Event.ClinicianId), isMember: true, cancellationToken);

    public Task<ProjectionOutcome> ApplyAsync(EventEnvelope<ClinicianRemovedFromCareTeam> envelope, CancellationToken cancellationToken) =>
        MembershipAsync(envelope, envelope.Event.CareTeamId, Clinician(envelope.Event.ClinicianId), isMember: false, cancellationToken);

    public Task<ProjectionOutcome> ApplyAsync(EventEnvelope<PatientAssignedToCareTeam> envelope, CancellationToken cancellationToken) =>
        MembershipAsync(envelope, envelope.Event.CareTeamId, Patient(envelope.Event.PatientId), isMember: true, cancellationToken);

    public Task<ProjectionOutcome> ApplyAsync(EventEnvelope<PatientRemovedFromCareTeam> envelope, CancellationToken cancellationToken) =>
        MembershipAsync(envelope, envelope.Event.CareTeamId, Patient(envelope.Event.PatientId), isMember: false, cancellationToken);

    public async Task<ProjectionOutcome> ApplyAsync(EventEnvelope<PatientRegistered> envelope, CancellationToken cancellationToken) =>
        options.Value.NewPatientsJoinDemoWard
            ? Outcome(await teams.ApplyDefaultJoinAsync(DemoWard.Id, Patient(envelope.Event.PatientId), cancellationToken))
            : ProjectionOutcome.Ignored;

    private async Task<ProjectionOutcome> MembershipAsync(IEventEnvelope envelope, Guid careTeamId, string member, bool isMember, CancellationToken cancellationToken) =>
        Outcome(await teams.ApplyMembershipAsync(careTeamId, member, isMember, Stamp(envelope), cancellationToken));

    private static string Stamp(IEventEnvelope envelope) => CareTeamReadModel.VersionKey(envelope.Version);

    private static string Clinician(string clinicianId) => CareTeamReadModel.ClinicianPrefix + CareTeam.ClinicianIdOf(clinicianId);

    private static string Patient(Guid patientId) => CareTeamReadModel.PatientPrefix + patientId.ToString("D");
}
