using System.Security.Claims;
using HealthFlow.Domain;
using HealthFlow.Domain.Monitoring;
using HealthFlow.EventStore;
using HealthFlow.PatientAccess;
using HealthFlow.ServiceDefaults.Authentication;

namespace HealthFlow.Command.Api.MonitoringPlans;

/// <summary>
/// A clinician of one of the patient's care teams (or an admin) sets the patient's monitoring plan, replacing the one
/// before. <see cref="ExpectedVersion"/> is the If-Match: the plan version the caller last saw (0: none).
/// </summary>
public sealed record SetMonitoringPlan(
    Guid PatientId, MonitoringPlan? Plan, string? Reason, int? ExpectedVersion, ClaimsPrincipal By, string CorrelationId);

/// <summary>What became of a plan.</summary>
public abstract record SetPlanResult
{
    private SetPlanResult()
    {
    }

    /// <summary>
    /// The decision on the patient's stream: <see cref="SetPlanOutcome.Set"/> (appended: in force for check-ins
    /// submitted from its SetAt), or why not (invalid, a stale If-Match, no such patient).
    /// </summary>
    public sealed record Decided(SetPlanOutcome Outcome) : SetPlanResult;

    /// <summary>A clinician outside the patient's care teams: for them the patient does not exist.</summary>
    public sealed record OutOfScope : SetPlanResult;

    /// <summary>Every attempt met a newer stream; nothing was appended.</summary>
    public sealed record StillChanging : SetPlanResult;
}

/// <summary>The commands on a patient's monitoring: read patient-{id}, decide on <see cref="PatientMonitoring"/>, append at the version read.</summary>
public sealed class MonitoringPlanCommands(IEventStore eventStore, PatientScopes scopes, TimeProvider timeProvider)
{
    /// <summary>
    /// A patient's stream changes only when a plan is set, so a conflict means another clinician set one meanwhile.
    /// Deciding again then answers a caller who sent If-Match with 412, and one who did not with their plan on top.
    /// </summary>
    public const int MaxAttempts = 3;

    public async Task<SetPlanResult> SetAsync(SetMonitoringPlan command, CancellationToken cancellationToken)
    {
        if (!command.By.IsInRole(HealthFlowRoles.Admin) && !await scopes.MayReadAsync(command.By, command.PatientId, cancellationToken))
        {
            return new SetPlanResult.OutOfScope();
        }

        var by = command.By.GetUserId();
        var stream = StreamId.ForPatient(command.PatientId);
        for (var attempt = 1; ; attempt++)
        {
            var loaded = await eventStore.LoadAsync(stream, PatientMonitoring.Initial, PatientMonitoring.Evolve, cancellationToken);
            var outcome = loaded.State.SetPlan(command.PatientId, command.Plan, command.Reason, by, command.ExpectedVersion, timeProvider.GetUtcNow());
            if (outcome is not SetPlanOutcome.Set set)
            {
                return new SetPlanResult.Decided(outcome);
            }

            try
            {
                await eventStore.AppendAsync(stream, loaded.Version, [set.Event],
                    EventMetadataFactory.FromCurrentActivity(command.CorrelationId, userId: by), cancellationToken);
                return new SetPlanResult.Decided(set);
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
                // Another plan was set meanwhile: decide again on it.
            }
            catch (ConcurrencyConflictException)
            {
                return new SetPlanResult.StillChanging();
            }
        }
    }
}
