using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;

namespace HealthFlow.Cli.Chaos;

/// <summary>One broken promise: <see cref="Id"/> is what to look up (an observation, alert, audit record or correlation id).</summary>
public sealed record Violation(string Id, string Message);

/// <summary>An invariant's verdict: how many things it checked, and every one that broke it.</summary>
public sealed record InvariantResult(string Name, string Promise, int Checked, IReadOnlyList<Violation> Violations)
{
    public bool Holds => Violations.Count == 0;
}

/// <summary>
/// One promise of the system, checked from the recorded history and the stores as they are once quiescent. A pure
/// function of both, so a test can plant a bug in either and see it reported.
/// </summary>
public interface IInvariant
{
    InvariantResult Check(ChaosHistory history, StoreSnapshot snapshot);
}

/// <summary>What the invariants derive from the history and the snapshot, derived once.</summary>
internal static class HistoryFacts
{
    /// <summary>The check-ins answered 202: their ids, each once however often a retry was answered.</summary>
    public static IReadOnlyList<Guid> Accepted(ChaosHistory history) =>
        [.. history.Operations.Where(o => o.Kind == OperationKinds.CheckIn && o.Answered(202) && o.ObservationId is not null)
            .Select(o => o.ObservationId!.Value).Distinct()];

    /// <summary>Every event of each alert stream, in stream order.</summary>
    public static ILookup<Guid, EventEnvelope> AlertStreams(StoreSnapshot snapshot) =>
        snapshot.Events.Where(e => e.StreamId.StartsWith(StreamId.AlertPrefix, StringComparison.Ordinal))
            .OrderBy(e => e.Version)
            .ToLookup(e => Guid.Parse(e.StreamId[StreamId.AlertPrefix.Length..]));
}

/// <summary>Every check-in answered 202 is stored exactly once and projected exactly once; none answered 4xx is stored.</summary>
public sealed class CheckInsStoredOnce : IInvariant
{
    public InvariantResult Check(ChaosHistory history, StoreSnapshot snapshot)
    {
        var accepted = HistoryFacts.Accepted(history);
        var ledger = ExactlyOnceLedger.Of(snapshot);
        var violations = ledger.ViolationsOf(accepted, new HashSet<Guid>())
            .Where(v => v.Finding == LedgerFinding.Stored)
            .Select(v => new Violation(v.ObservationId.ToString(), v.Message))
            .ToList();

        var rows = snapshot.Observations.GroupBy(r => r.ObservationId).ToDictionary(g => g.Key, g => g.Count());
        foreach (var observationId in accepted)
        {
            var projected = rows.GetValueOrDefault(observationId);
            if (projected != 1)
            {
                violations.Add(new(observationId.ToString(), $"check-in {observationId} is projected {projected} times"));
            }
        }

        // A refused request may share its key with an answered retry only if the workload retried it; then the 202 decides.
        var acceptedSet = accepted.ToHashSet();
        var refused = history.Operations
            .Where(o => o.Kind == OperationKinds.CheckIn && o.AnsweredClientError && o.ObservationId is { } id && !acceptedSet.Contains(id))
            .Select(o => o.ObservationId!.Value).Distinct().ToList();
        foreach (var observationId in refused.Where(id => ledger.TimesStored(id) > 0))
        {
            violations.Add(new(observationId.ToString(), $"check-in {observationId} was answered 4xx but is stored {ledger.TimesStored(observationId)} times"));
        }

        return new("check-ins stored and projected once", "every check-in answered 202 is stored exactly once and projected exactly once; none answered 4xx is stored",
            accepted.Count + refused.Count, violations);
    }
}

/// <summary>
/// Every alarming check-in has exactly one alert, under the id its observation determines; a calm one has none.
/// Whether a check-in alarms is decided by the domain's own rules on the vitals that were stored.
/// </summary>
public sealed class OneAlertPerAlarmingCheckIn(AlertRulesOptions rules) : IInvariant
{
    public InvariantResult Check(ChaosHistory history, StoreSnapshot snapshot)
    {
        var accepted = HistoryFacts.Accepted(history);
        var acceptedSet = accepted.ToHashSet();
        var alarming = snapshot.Events
            .Where(e => e.Type == EventTypes.ObservationSubmitted)
            .Select(e => e.DataAs<ObservationSubmitted>())
            .Where(o => acceptedSet.Contains(o.ObservationId) && AlertEvaluator.Decide(o.Vitals, rules) is not null)
            .Select(o => o.ObservationId)
            .ToHashSet();
        var violations = ExactlyOnceLedger.Of(snapshot).ViolationsOf(accepted, alarming)
            .Where(v => v.Finding == LedgerFinding.Alert)
            .Select(v => new Violation(v.ObservationId.ToString(), v.Message))
            .ToList();

        var rows = snapshot.Alerts.ToDictionary(a => a.AlertId);
        foreach (var observationId in alarming)
        {
            var alertId = AlertId.For(observationId);
            if (!rows.TryGetValue(alertId, out var row))
            {
                violations.Add(new(alertId.ToString(), $"the alert {alertId} of check-in {observationId} is not in the alerts read model"));
            }
            else if (row.ObservationId != observationId)
            {
                violations.Add(new(alertId.ToString(), $"the alert {alertId} shows check-in {row.ObservationId}, not {observationId}"));
            }
        }

        return new("one alert per alarming check-in", "every alarming check-in has exactly one alert, its id derived from its observation; calm ones have none",
            accepted.Count, violations);
    }
}

/// <summary>Every acknowledgement answered 202 shows in the stream and the read model; none answered 409 is for an alert left open.</summary>
public sealed class AcknowledgementsKept : IInvariant
{
    public InvariantResult Check(ChaosHistory history, StoreSnapshot snapshot)
    {
        var streams = HistoryFacts.AlertStreams(snapshot);
        var rows = snapshot.Alerts.ToDictionary(a => a.AlertId);
        var acknowledgements = history.Operations
            .Where(o => o.Kind == OperationKinds.Acknowledge && o.AlertId is not null && (o.Answered(202) || o.Answered(409)))
            .ToList();
        var violations = new List<Violation>();
        foreach (var ack in acknowledgements)
        {
            var alertId = ack.AlertId!.Value;
            var stored = streams[alertId].Any(e => e.Type == EventTypes.AlertAcknowledged);
            if (!stored)
            {
                violations.Add(new(alertId.ToString(), ack.Status == 202
                    ? $"the acknowledgement of alert {alertId} by {ack.Actor} was answered 202 but its stream holds no AlertAcknowledged"
                    : $"the acknowledgement of alert {alertId} by {ack.Actor} was answered 409, yet nobody acknowledged it"));
            }
            else if (!rows.TryGetValue(alertId, out var row) || row.Status != "acknowledged")
            {
                violations.Add(new(alertId.ToString(), $"alert {alertId} is acknowledged in its stream but {(row is null ? "missing from" : "open in")} the alerts read model"));
            }
        }

        return new("acknowledgements kept", "every acknowledgement answered 202 shows in the read model; none answered 409 is for an alert left open",
            acknowledgements.Count, violations);
    }
}

/// <summary>
/// Every read of a patient's data answered 200 has its audit record; no audit record was changed or removed. A read
/// that carried nothing (an empty page) disclosed no data: the trail records one record per patient a response carried.
/// </summary>
public sealed class AuditComplete : IInvariant
{
    public InvariantResult Check(ChaosHistory history, StoreSnapshot snapshot)
    {
        var records = snapshot.Events
            .Where(e => e.Type == EventTypes.PatientDataAccessed)
            .Select(e => e.DataAs<PatientDataAccessed>())
            .ToList();
        var byCorrelation = records.Where(r => r.CorrelationId is not null).ToLookup(r => r.CorrelationId!);
        var rows = snapshot.Audit.ToDictionary(r => r.RecordId);
        var violations = new List<Violation>();

        var reads = history.Operations
            .Where(o => o.Kind == OperationKinds.Read && o.Answered(200) && o.Items > 0 && o.PatientId is not null && o.CorrelationId is not null)
            .ToList();
        foreach (var read in reads)
        {
            if (!byCorrelation[read.CorrelationId!].Any(r => r.PatientId == read.PatientId && r.Outcome == "allowed"))
            {
                violations.Add(new(read.CorrelationId!, $"{read.Actor}'s read {read.Path} of patient {read.PatientId} was answered 200 without an audit record"));
            }
        }

        foreach (var record in records)
        {
            if (!rows.TryGetValue(record.RecordId, out var row))
            {
                violations.Add(new(record.RecordId.ToString(), $"audit record {record.RecordId} ({record.Actor}, {record.Action}) is missing from the audit table"));
            }
            else if (row != new AuditRow(record.RecordId, record.Actor, record.PatientId, record.Action, record.Count, record.Outcome, record.CorrelationId))
            {
                violations.Add(new(record.RecordId.ToString(), $"audit record {record.RecordId} was changed: the table holds {row}"));
            }
        }

        var recorded = records.Select(r => r.RecordId).ToHashSet();
        foreach (var row in snapshot.Audit.Where(r => !recorded.Contains(r.RecordId)))
        {
            violations.Add(new(row.RecordId.ToString(), $"audit row {row.RecordId} ({row.Actor}, {row.Action}) has no record in any audit- stream"));
        }

        return new("audit complete and unchanged", "every read of a patient answered 200 with data has its audit record, and no audit record was changed or removed",
            reads.Count + records.Count, violations);
    }
}

/// <summary>
/// Every unacknowledged alert past its deadline escalated exactly once; none escalated after its acknowledgement was
/// stored, and none twice at a level. The deadline is the policy the system runs with, when the checker is told it.
/// </summary>
public sealed class EscalatedOnce(EscalationPolicy? policy, TimeSpan slack) : IInvariant
{
    public InvariantResult Check(ChaosHistory history, StoreSnapshot snapshot)
    {
        var violations = new List<Violation>();
        // This run's alerts only: an alert raised before it may have been judged under another policy.
        var ours = HistoryFacts.Accepted(history).Select(AlertId.For).ToHashSet();
        var streams = HistoryFacts.AlertStreams(snapshot).Where(s => ours.Contains(s.Key)).ToList();
        foreach (var stream in streams)
        {
            var alertId = stream.Key;
            var raised = stream.FirstOrDefault(e => e.Type == EventTypes.AlertRaised)?.DataAs<AlertRaised>();
            var acknowledged = stream.FirstOrDefault(e => e.Type == EventTypes.AlertAcknowledged);
            var escalations = stream.Where(e => e.Type == EventTypes.AlertEscalated).ToList();
            foreach (var level in escalations.GroupBy(e => e.DataAs<AlertEscalated>().Level).Where(g => g.Count() > 1))
            {
                violations.Add(new(alertId.ToString(), $"alert {alertId} escalated {level.Count()} times at level {level.Key} ({string.Join(", ", level.Select(e => $"@{e.Version}"))})"));
            }

            if (acknowledged is not null)
            {
                foreach (var late in escalations.Where(e => e.Version > acknowledged.Version))
                {
                    violations.Add(new(alertId.ToString(), $"alert {alertId} escalated @{late.Version} after its acknowledgement @{acknowledged.Version}"));
                }
            }
            else if (raised is not null && escalations.Count == 0 && policy?.DeadlineFor(raised.Severity, raised.RaisedAt) is { } deadline
                && deadline + slack < snapshot.TakenAt)
            {
                violations.Add(new(alertId.ToString(), $"{raised.Severity} alert {alertId} is open past its deadline {deadline:O} and never escalated"));
            }
        }

        return new("escalated once", "every unacknowledged alert past its deadline escalated exactly once; no acknowledged one escalated after its acknowledgement",
            streams.Count, violations);
    }
}

/// <summary>
/// Every live stream ends showing each of this run's alerts as the read model holds it. The feed is one item per
/// alert, so changes made close together reach a stream as the latest of them: what a clinician's inbox must converge
/// to is every alert's final status, on every stream that stayed open, across its reconnects (Last-Event-ID). Streams
/// leaking another team's alerts are the isolation tests' concern (CareTeamIsolationTests): the run's clinician sees
/// every patient of the run.
/// </summary>
public sealed class StreamsConverge : IInvariant
{
    public InvariantResult Check(ChaosHistory history, StoreSnapshot snapshot)
    {
        var accepted = HistoryFacts.Accepted(history).ToHashSet();
        var alerts = snapshot.Alerts.Where(a => a.ObservationId is { } o && accepted.Contains(o)).ToList();
        var streams = history.Deliveries.GroupBy(d => (d.Clinician, d.StreamNumber)).ToList();
        var violations = new List<Violation>();
        foreach (var stream in streams)
        {
            var latest = stream.GroupBy(d => d.AlertId).ToDictionary(g => g.Key, g => g.OrderBy(d => d.ReceivedAt).Last());
            foreach (var alert in alerts)
            {
                if (!latest.TryGetValue(alert.AlertId, out var last))
                {
                    violations.Add(new(alert.AlertId.ToString(), $"alert {alert.AlertId} never reached {stream.Key.Clinician}'s stream {stream.Key.StreamNumber}"));
                }
                else if (last.Status != alert.Status)
                {
                    violations.Add(new(alert.AlertId.ToString(), $"{stream.Key.Clinician}'s stream {stream.Key.StreamNumber} last showed alert {alert.AlertId} {last.Status}, the read model {alert.Status}"));
                }
            }
        }

        return new("live streams converge", "every live stream, across its reconnects, ends showing each of the run's alerts as the read model holds it",
            streams.Count * alerts.Count, violations);
    }
}

/// <summary>Nothing is left on the way: the outbox is empty, no dead-letter queue holds a message, no lease is held by a process that is gone.</summary>
public sealed class NothingLeftOnTheWay : IInvariant
{
    public InvariantResult Check(ChaosHistory history, StoreSnapshot snapshot)
    {
        var violations = new List<Violation>();
        violations.AddRange(snapshot.Outbox.Select(m => new Violation($"{m.StreamId}@{m.Version}", $"commit {m.StreamId}@{m.Version} is still in the outbox ({m.Pending})")));
        violations.AddRange(snapshot.DeadLetters.Select(d => new Violation(d.Queue, $"{d.Queue} holds a message: {d.Body[..Math.Min(d.Body.Length, 200)]}")));
        violations.AddRange(snapshot.Leases
            .Where(l => l.OwnerRunning == false && l.LeaseUntil > snapshot.TakenAt)
            .Select(l => new Violation(l.Name, $"lease {l.Name} is held until {l.LeaseUntil:O} by {l.Owner}, a process that no longer runs")));
        return new("nothing left on the way", "the outbox is empty, no DLQ holds a message, no lease is held by a process that is gone",
            StoreSnapshot.DeadLetterQueues.Count + snapshot.Leases.Count + 1, violations);
    }
}

/// <summary>The checker: every invariant over one history and one snapshot.</summary>
public sealed class ChaosChecker(IReadOnlyList<IInvariant> invariants)
{
    public IReadOnlyList<IInvariant> Invariants => invariants;

    public static ChaosChecker Default(AlertRulesOptions rules, EscalationPolicy? escalation) => new(
    [
        new CheckInsStoredOnce(),
        new OneAlertPerAlarmingCheckIn(rules),
        new AcknowledgementsKept(),
        new AuditComplete(),
        new EscalatedOnce(escalation, TimeSpan.FromSeconds(30)),
        new StreamsConverge(),
        new NothingLeftOnTheWay(),
    ]);

    public IReadOnlyList<InvariantResult> Check(ChaosHistory history, StoreSnapshot snapshot) =>
        [.. invariants.Select(i => i.Check(history, snapshot))];
}
