using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Monitoring;
using HealthFlow.Messaging;
using HealthFlow.Topology;

namespace HealthFlow.AlertWorker.CheckIns;

/// <summary>
/// Puts a plan's check-in window deadlines into the check-in-deadlines queue as delayed messages: one window at a
/// time, each at most 15 minutes ahead, so a deadline further out travels as a chain of legs sent on by
/// <see cref="CheckInDeadlineConsumer"/>; the leg that decides a window sends the next window's deadline on the same
/// chain. One chain per patient and plan version (<c>schedule-{patientId}-v{version}</c>): a new plan starts its own,
/// and the old one ends at its next leg, which finds its plan no longer in force.
/// </summary>
/// <remarks>Like escalation deadlines, a leg keeps its cause's correlation but not its trace context: hours later, a window's decision starts a trace of its own.</remarks>
public sealed class CheckInDeadlines(IDelayedMessages messages, IDelayedMessageChains chains)
{
    /// <summary>
    /// Sends the first window's deadline of a plan with a schedule; nothing for a plan without one. A redelivered
    /// MonitoringPlanSet sends a second first leg: the first of the two to arrive carries the chain, the other is dropped.
    /// </summary>
    public async Task<CheckInWindow?> StartAsync(MonitoringPlanSet plan, EventMetadata cause, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Plan.Schedule is not { } schedule)
        {
            return null;
        }

        var first = CheckInWindows.First(schedule, plan.SetAt);
        await SendAsync(new CheckInDeadline(plan.PatientId, plan.Version, first.DueAt, first.Deadline), cause, cancellationToken);
        return first;
    }

    /// <summary>Whether <paramref name="leg"/> (the id of the message being handled) carries its chain; false for a duplicate or a leg the chain has moved on from.</summary>
    public Task<bool> CarriesAsync(Guid leg, CheckInDeadline deadline, CancellationToken cancellationToken) =>
        chains.TryCarryAsync(ChainOf(deadline), leg, cancellationToken);

    /// <summary>
    /// Sends <paramref name="next"/> (the same deadline's next leg, or the next window's first) from <paramref name="leg"/>,
    /// which carries the chain, and hands the chain to it. A delivery of <paramref name="leg"/> that stopped between the
    /// send and the hand-over sends again; the orphaned leg then carries nothing and is dropped when it arrives.
    /// </summary>
    public async Task SendOnAsync(Guid leg, CheckInDeadline next, EventMetadata cause, CancellationToken cancellationToken)
    {
        var sent = await SendAsync(next, cause, cancellationToken);
        await chains.HandOverAsync(ChainOf(next), leg, sent, cancellationToken);
    }

    /// <summary>The plan of this chain is no longer in force, or has no schedule: the chain is over.</summary>
    public Task EndAsync(CheckInDeadline deadline, CancellationToken cancellationToken) => chains.EndAsync(ChainOf(deadline), cancellationToken);

    /// <summary>The chain of a patient's plan version: never the same for two plans.</summary>
    public static string ChainOf(CheckInDeadline deadline) => $"{StreamId.ForSchedule(deadline.PatientId).Value}-v{deadline.PlanVersion}";

    private Task<Guid> SendAsync(CheckInDeadline deadline, EventMetadata cause, CancellationToken cancellationToken) =>
        messages.SendAsync(
            HealthFlowTopology.Queues.CheckInDeadlines,
            StreamId.ForSchedule(deadline.PatientId),
            deadline,
            deadline.Deadline,
            cause with { Traceparent = null, Tracestate = null },
            cancellationToken);
}
