using HealthFlow.EventStore;
using HealthFlow.Domain;
using HealthFlow.Domain.CareTeams;
using HealthFlow.Domain.Events;
using Microsoft.Extensions.Options;

namespace HealthFlow.Command.Api.CareTeams;

/// <summary>An admin creates a team.</summary>
public sealed record CreateCareTeam(Guid CareTeamId, string? Name, string By, string CorrelationId);

/// <summary>An admin adds a clinician (by username) to a team, or removes them.</summary>
public sealed record ChangeClinician(Guid CareTeamId, string? ClinicianId, bool Assign, string By, string CorrelationId);

/// <summary>An admin adds a patient to a team, or removes them.</summary>
public sealed record ChangePatient(Guid CareTeamId, Guid? PatientId, bool Assign, string By, string CorrelationId);

/// <summary>What became of a care-team command.</summary>
public abstract record CareTeamResult
{
    private CareTeamResult()
    {
    }

    /// <summary>Done, or nothing to do (assigning twice is harmless): the team is as asked.</summary>
    public sealed record Done(Guid CareTeamId) : CareTeamResult;

    /// <summary>The input was refused; the errors are keyed by camelCase field name.</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : CareTeamResult;

    /// <summary>No such team.</summary>
    public sealed record UnknownTeam : CareTeamResult;

    /// <summary>Every attempt met a newer stream: other admins kept changing the team; nothing was appended.</summary>
    public sealed record StillChanging : CareTeamResult;
}

/// <summary>The commands on careteam-{id}: read the stream, decide on <see cref="CareTeam"/>, append at the version read.</summary>
public sealed class CareTeamCommands(IEventStore eventStore, IOptions<DemoWardOptions> options, TimeProvider timeProvider)
{
    private const int MaxAttempts = 5;

    public async Task<CareTeamResult> CreateAsync(CreateCareTeam command, CancellationToken cancellationToken)
    {
        var errors = CareTeam.ValidateName(command.Name, out var name);
        if (errors.Count > 0)
        {
            return new CareTeamResult.Invalid(errors);
        }

        await eventStore.AppendAsync(
            StreamId.ForCareTeam(command.CareTeamId),
            ExpectedVersion.NoStream,
            [new CareTeamCreated(command.CareTeamId, name, command.By, timeProvider.GetUtcNow())],
            EventMetadataFactory.FromCurrentActivity(command.CorrelationId, userId: command.By),
            cancellationToken);
        return new CareTeamResult.Done(command.CareTeamId);
    }

    public async Task<CareTeamResult> ChangeClinicianAsync(ChangeClinician command, CancellationToken cancellationToken)
    {
        var errors = CareTeam.ValidateClinicianId(command.ClinicianId);
        if (errors.Count > 0)
        {
            return new CareTeamResult.Invalid(errors);
        }

        // Canonical case at the edge: the token's subject is the stored (lower-case) username, and so is the member.
        var clinician = CareTeam.ClinicianIdOf(command.ClinicianId!);
        return await DecideAsync(command.CareTeamId, command.By, command.CorrelationId, cancellationToken, (team, at) =>
            command.Assign ? team.AssignClinician(clinician, command.By, at) : team.RemoveClinician(clinician, command.By, at));
    }

    public async Task<CareTeamResult> ChangePatientAsync(ChangePatient command, CancellationToken cancellationToken)
    {
        if (command.PatientId is not { } patientId || patientId == Guid.Empty)
        {
            return Invalid(CareTeamFields.PatientId, "PatientId is required.");
        }

        // A patient registered when patient-{id} has a commit: an admin cannot assign an id that names no one.
        var registered = await eventStore.GetVersionAsync(StreamId.ForPatient(patientId), cancellationToken) > ExpectedVersion.NoStream;
        if (command.Assign && !registered)
        {
            return Invalid(CareTeamFields.PatientId, $"There is no patient {patientId}.");
        }

        var joinedByDefault = DemoWard.JoinedByDefault(command.CareTeamId, options.Value.NewPatientsJoinDemoWard, registered);
        return await DecideAsync(command.CareTeamId, command.By, command.CorrelationId, cancellationToken, (team, at) =>
            command.Assign ? team.AssignPatient(patientId, command.By, at, joinedByDefault) : team.RemovePatient(patientId, command.By, at, joinedByDefault));
    }

    private async Task<CareTeamResult> DecideAsync(
        Guid careTeamId, string by, string correlationId, CancellationToken cancellationToken, Func<CareTeam, DateTimeOffset, IDomainEvent?> decide)
    {
        var stream = StreamId.ForCareTeam(careTeamId);
        for (var attempt = 1; ; attempt++)
        {
            var loaded = await eventStore.LoadAsync<CareTeam?>(stream, null, CareTeam.Evolve, cancellationToken);
            if (loaded.State is not { } team)
            {
                return new CareTeamResult.UnknownTeam();
            }

            if (decide(team, timeProvider.GetUtcNow()) is not { } decided)
            {
                return new CareTeamResult.Done(careTeamId);
            }

            try
            {
                await eventStore.AppendAsync(stream, loaded.Version, [decided],
                    EventMetadataFactory.FromCurrentActivity(correlationId, userId: by), cancellationToken);
                return new CareTeamResult.Done(careTeamId);
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
                // Another admin changed the team meanwhile: decide again on the new state.
            }
            catch (ConcurrencyConflictException)
            {
                return new CareTeamResult.StillChanging();
            }
        }
    }

    private static CareTeamResult.Invalid Invalid(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] });
}
