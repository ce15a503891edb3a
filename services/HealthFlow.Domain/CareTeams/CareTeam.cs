using HealthFlow.Domain.Events;
using HealthFlow.Domain.Patients;

namespace HealthFlow.Domain.CareTeams;

/// <summary>The JSON property names of care-team requests; also the keys of their validation errors.</summary>
public static class CareTeamFields
{
    public const string Name = "name";
    public const string ClinicianId = "clinicianId";
    public const string PatientId = "patientId";
}

public static class CareTeamLimits
{
    public const int NameMaxLength = 100;
}

/// <summary>The team every new patient joins locally, and that the demo clinician belongs to.</summary>
public static class DemoWard
{
    public static readonly Guid Id = new("0d3e6a8c-5b1f-4c2e-9a47-d3e0a6b1c2f4");
    public const string Name = "Demo ward";

    /// <summary>
    /// Whether a patient is in the team by the registration join (CareTeams:NewPatientsJoinDemoWard): a registered
    /// patient belongs to Demo ward until the team's own stream says otherwise. The join is no event on the team's
    /// stream, so the read model and the decisions both derive it from the same two facts.
    /// </summary>
    public static bool JoinedByDefault(Guid careTeamId, bool newPatientsJoin, bool patientRegistered) =>
        careTeamId == Id && newPatientsJoin && patientRegistered;
}

/// <summary>
/// One care team (stream careteam-{id}), folded from its events in stream-version order, and the decisions an
/// admin's commands take on it. Assigning a member twice or removing a non-member decides nothing: no event,
/// same answer. A clinician id is a username in its stored (lower-case) form, whatever case a command or an
/// older event carries it in, so the token's subject, the stream and the read model name a clinician alike.
/// </summary>
public sealed record CareTeam(Guid CareTeamId, string Name, IReadOnlySet<string> Clinicians, IReadOnlySet<Guid> Patients)
{
    /// <summary>Every patient an event of this stream names: for them the stream, not the registration join, decides.</summary>
    public IReadOnlySet<Guid> PatientsDecided { get; init; } = new HashSet<Guid>();

    /// <summary>Folds a stream as read from the store; null when it holds no CareTeamCreated (an unknown team).</summary>
    public static CareTeam? From(IEnumerable<EventEnvelope> envelopes) =>
        envelopes.OrderBy(e => e.Version).Aggregate((CareTeam?)null, Evolve);

    /// <summary>One step of <see cref="From"/>: the team after <paramref name="envelope"/>, the next event of its stream.</summary>
    public static CareTeam? Evolve(CareTeam? team, EventEnvelope envelope) => envelope.Type switch
    {
        EventTypes.CareTeamCreated => Created(envelope.DataAs<CareTeamCreated>()),
        EventTypes.ClinicianAssignedToCareTeam when team is not null =>
            team with { Clinicians = With(team.Clinicians, ClinicianIdOf(envelope.DataAs<ClinicianAssignedToCareTeam>().ClinicianId)) },
        EventTypes.ClinicianRemovedFromCareTeam when team is not null =>
            team with { Clinicians = Without(team.Clinicians, ClinicianIdOf(envelope.DataAs<ClinicianRemovedFromCareTeam>().ClinicianId)) },
        EventTypes.PatientAssignedToCareTeam when team is not null && envelope.DataAs<PatientAssignedToCareTeam>().PatientId is var assigned =>
            team with { Patients = With(team.Patients, assigned), PatientsDecided = With(team.PatientsDecided, assigned) },
        EventTypes.PatientRemovedFromCareTeam when team is not null && envelope.DataAs<PatientRemovedFromCareTeam>().PatientId is var removed =>
            team with { Patients = Without(team.Patients, removed), PatientsDecided = With(team.PatientsDecided, removed) },
        _ => team,
    };

    /// <summary>Validates a new team's name (trimmed, 1-100 characters, no control characters).</summary>
    public static IReadOnlyDictionary<string, string[]> ValidateName(string? name, out string trimmed)
    {
        trimmed = name?.Trim() ?? string.Empty;
        return trimmed.Length is 0 or > CareTeamLimits.NameMaxLength || trimmed.Any(char.IsControl)
            ? new Dictionary<string, string[]>
            {
                [CareTeamFields.Name] = [$"Name must be 1 to {CareTeamLimits.NameMaxLength} characters after trimming spaces, with no control characters."],
            }
            : new Dictionary<string, string[]>();
    }

    /// <summary>A clinician id is a username, in any letter case (it names the same account as at login).</summary>
    public static IReadOnlyDictionary<string, string[]> ValidateClinicianId(string? clinicianId) =>
        clinicianId is not null && RegistrationValidator.IsWellFormedUsername(clinicianId)
            ? new Dictionary<string, string[]>()
            : new Dictionary<string, string[]> { [CareTeamFields.ClinicianId] = ["ClinicianId must be a clinician's username."] };

    /// <summary>The stored form of a clinician id: the username as auth-api stores it and puts in the token's subject.</summary>
    public static string ClinicianIdOf(string clinicianId) => RegistrationValidator.NormalizeUsername(clinicianId);

    /// <summary>Whether the patient is a member now; <paramref name="joinedByDefault"/> from <see cref="DemoWard.JoinedByDefault"/>.</summary>
    public bool HasPatient(Guid patientId, bool joinedByDefault = false) =>
        Patients.Contains(patientId) || (joinedByDefault && !PatientsDecided.Contains(patientId));

    public IDomainEvent? AssignClinician(string clinicianId, string by, DateTimeOffset at) =>
        Clinicians.Contains(ClinicianIdOf(clinicianId)) ? null : new ClinicianAssignedToCareTeam(CareTeamId, ClinicianIdOf(clinicianId), by, at);

    public IDomainEvent? RemoveClinician(string clinicianId, string by, DateTimeOffset at) =>
        Clinicians.Contains(ClinicianIdOf(clinicianId)) ? new ClinicianRemovedFromCareTeam(CareTeamId, ClinicianIdOf(clinicianId), by, at) : null;

    public IDomainEvent? AssignPatient(Guid patientId, string by, DateTimeOffset at, bool joinedByDefault = false) =>
        HasPatient(patientId, joinedByDefault) ? null : new PatientAssignedToCareTeam(CareTeamId, patientId, by, at);

    public IDomainEvent? RemovePatient(Guid patientId, string by, DateTimeOffset at, bool joinedByDefault = false) =>
        HasPatient(patientId, joinedByDefault) ? new PatientRemovedFromCareTeam(CareTeamId, patientId, by, at) : null;

    private static CareTeam Created(CareTeamCreated created) =>
        new(created.CareTeamId, created.Name, new HashSet<string>(StringComparer.Ordinal), new HashSet<Guid>());

    private static HashSet<T> With<T>(IReadOnlySet<T> set, T item) => [.. set, item];

    private static HashSet<T> Without<T>(IReadOnlySet<T> set, T item) => [.. set.Where(x => !EqualityComparer<T>.Default.Equals(x, item))];
}
