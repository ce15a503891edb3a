using HealthFlow.Domain.Notifications;
using HealthFlow.ReadModels;

namespace HealthFlow.Notifier;

/// <summary>A clinician to tell, with the address they set and the care team the message names.</summary>
public sealed record Recipient(string Clinician, string Address, string CareTeam);

/// <summary>
/// Who an alert event reaches: the clinicians of the patient's care teams (the care-team read model) whose own
/// settings say so (<see cref="NotifiableEvent.Reaches"/>). A clinician of two of the patient's teams is told once,
/// naming the first team by name.
/// </summary>
public sealed class OnCallRecipients(CareTeamReadModel careTeams, NotificationSettingsStore settings)
{
    public async Task<IReadOnlyList<Recipient>> ForAsync(NotifiableEvent notifiable, CancellationToken cancellationToken)
    {
        var teams = new List<CareTeamView>();
        foreach (var teamId in await careTeams.TeamsOfPatientAsync(notifiable.PatientId, cancellationToken))
        {
            if (await careTeams.GetAsync(teamId, cancellationToken) is { } team)
            {
                teams.Add(team);
            }
        }

        var recipients = new Dictionary<string, Recipient>(StringComparer.Ordinal);
        foreach (var team in teams.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            foreach (var clinician in team.Clinicians.Where(c => !recipients.ContainsKey(c)))
            {
                var theirs = await settings.GetAsync(clinician, cancellationToken);
                if (notifiable.Reaches(theirs))
                {
                    recipients[clinician] = new Recipient(clinician, theirs.Email, team.Name);
                }
            }
        }

        return [.. recipients.Values];
    }
}
