using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using Microsoft.Extensions.Options;

namespace HealthFlow.PatientAccess;

/// <summary>Section "CareTeams" of the APIs.</summary>
public sealed class PatientScopeOptions
{
    public const string SectionName = "CareTeams";

    /// <summary>
    /// How long one instance reuses a clinician's patient set. Membership changes reach every endpoint within
    /// this plus the projection's lag (well under the 5 s the care-team tests allow); 0 reads on every request.
    /// </summary>
    [Range(0, 10_000)]
    public int MembershipCacheMilliseconds { get; set; } = 1_000;
}

/// <summary>The patients one caller may see: a patient themself, a clinician their teams' patients, anyone else none.</summary>
public sealed class PatientScope(IReadOnlySet<Guid> patients)
{
    public static PatientScope None { get; } = new(new HashSet<Guid>());

    public IReadOnlySet<Guid> Patients { get; } = patients;

    public bool Includes(Guid patientId) => Patients.Contains(patientId);
}

/// <summary>
/// Care-team scoping for every endpoint and the SSE stream. A clinician's set is the union of the patients of
/// their teams (one Query on `by-member`, one per team), cached per instance for a second, with one lookup in
/// flight per clinician however many requests ask at once. Outside the set, endpoints answer 404.
/// </summary>
public sealed class PatientScopes(CareTeamReadModel careTeams, IOptions<PatientScopeOptions> options, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, CachedScope> _byClinician = new(StringComparer.Ordinal);

    public async ValueTask<PatientScope> ForAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (user.IsInRole(HealthFlowRoles.Patient) && user.GetPatientId() is { } self)
        {
            return new PatientScope(new HashSet<Guid> { self });
        }

        return user.IsClinician() ? await ForClinicianAsync(user.GetUserId(), cancellationToken) : PatientScope.None;
    }

    /// <summary>
    /// Whether the caller may read this patient. A clinician's miss is checked once more against a fresh lookup
    /// before it becomes a 404, so a patient who just joined a team is readable as soon as the read model says so,
    /// not a cache period later; misses are rare (a refusal), so this costs little.
    /// </summary>
    public async ValueTask<bool> MayReadAsync(ClaimsPrincipal user, Guid patientId, CancellationToken cancellationToken)
    {
        if ((await ForAsync(user, cancellationToken)).Includes(patientId))
        {
            return true;
        }

        return user.IsClinician() && (await ForClinicianAsync(user.GetUserId(), cancellationToken, fresh: true)).Includes(patientId);
    }

    public Task<PatientScope> ForClinicianAsync(string clinicianId, CancellationToken cancellationToken, bool fresh = false)
    {
        var now = timeProvider.GetUtcNow();
        var maxAge = fresh ? TimeSpan.Zero : TimeSpan.FromMilliseconds(options.Value.MembershipCacheMilliseconds);
        while (true)
        {
            if (_byClinician.TryGetValue(clinicianId, out var cached) && (now - cached.LoadedAt < maxAge || !cached.Load.IsCompleted))
            {
                return cached.Load.WaitAsync(cancellationToken);
            }

            // Not the caller's token: the lookup is shared, and one caller hanging up must not fail the others.
            var loading = new CachedScope(now, LoadAsync(clinicianId));
            if (cached is null ? _byClinician.TryAdd(clinicianId, loading) : _byClinician.TryUpdate(clinicianId, loading, cached))
            {
                // A failed lookup is not cached: the next request tries again.
                loading.Load.ContinueWith(t => _byClinician.TryRemove(new(clinicianId, loading)), CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                return loading.Load.WaitAsync(cancellationToken);
            }
        }
    }

    private async Task<PatientScope> LoadAsync(string clinicianId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var teams = await careTeams.TeamsOfClinicianAsync(clinicianId, timeout.Token);
        var patients = await Task.WhenAll(teams.Select(team => careTeams.PatientsOfTeamAsync(team, timeout.Token)));
        return new PatientScope(patients.SelectMany(p => p).ToHashSet());
    }

    private sealed record CachedScope(DateTimeOffset LoadedAt, Task<PatientScope> Load);
}
