using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;

namespace HealthFlow.Cli.Chaos;

/// <summary>What a ledger violation is about: the check-in's own event, its alert, or what is left on the way.</summary>
public enum LedgerFinding { Stored, Alert, Outbox, DeadLetter }

/// <summary>One violation found in the stores, naming the check-in it concerns.</summary>
public sealed record LedgerViolation(Guid ObservationId, LedgerFinding Finding, string Message);

/// <summary>
/// "Exactly once", checked where a duplicate would show: in the event store itself. The read models are keyed by
/// the ids they would have to count (an alert row by its alert id, an observation row by its observation id), so
/// a second <c>AlertRaised</c> in an alert's stream, or an alert under another id, collapses there into one row.
/// The ledger reads every event of every stream and counts, per check-in, the <c>ObservationSubmitted</c> events
/// and the <c>AlertRaised</c> events that name it, wherever they are stored; an alert stored under any id but the one
/// its observation determines (<see cref="AlertId.For"/>) is a violation too, since only that id makes a second one
/// impossible.
/// Beyond the streams, "once" also means "not stuck on the way": a commit of a check-in or its alert still marked in
/// the outbox (never relayed, or parked) and a message of either in a dead-letter queue (SQS's, or EventBridge's
/// delivery DLQ) are violations too. A commit relayed twice leaves no trace in the store; it reaches the consumers as a
/// redelivery, whose effect the counts above would show.
/// </summary>
public sealed class ExactlyOnceLedger
{
    private readonly Dictionary<Guid, int> _submitted = [];
    private readonly Dictionary<Guid, List<string>> _alertsRaised = [];
    private readonly Dictionary<string, List<string>> _outboxMarks = [];
    private readonly IReadOnlyList<DeadLetter> _deadLetters;

    private ExactlyOnceLedger(IReadOnlyList<DeadLetter> deadLetters) => _deadLetters = deadLetters;

    public static ExactlyOnceLedger Of(StoreSnapshot snapshot)
    {
        var ledger = new ExactlyOnceLedger(snapshot.DeadLetters);
        foreach (var envelope in snapshot.Events)
        {
            switch (envelope.Type)
            {
                case EventTypes.ObservationSubmitted:
                    var observationId = envelope.DataAs<ObservationSubmitted>().ObservationId;
                    ledger._submitted[observationId] = ledger._submitted.GetValueOrDefault(observationId) + 1;
                    break;
                // A missed check-in's alert has no observation: it is no check-in's alert.
                case EventTypes.AlertRaised when envelope.DataAs<AlertRaised>() is { ObservationId: { } raisedFor }:
                    if (!ledger._alertsRaised.TryGetValue(raisedFor, out var where))
                    {
                        ledger._alertsRaised[raisedFor] = where = [];
                    }

                    where.Add($"{envelope.StreamId}@{envelope.Version}");
                    break;
            }
        }

        foreach (var mark in snapshot.Outbox)
        {
            if (!ledger._outboxMarks.TryGetValue(mark.StreamId, out var marks))
            {
                ledger._outboxMarks[mark.StreamId] = marks = [];
            }

            marks.Add($"{mark.StreamId}@{mark.Version} ({mark.Pending})");
        }

        return ledger;
    }

    /// <summary>How many <c>ObservationSubmitted</c> events name the check-in, in any stream.</summary>
    public int TimesStored(Guid observationId) => _submitted.GetValueOrDefault(observationId);

    /// <summary>
    /// Every accepted check-in stored once, every alarming one with exactly one <c>AlertRaised</c> under the id its
    /// observation determines, every calm one with none, and nothing of either left in the outbox or a dead-letter
    /// queue. Each violation names the check-in and where its events are, so one can be looked up.
    /// </summary>
    public IReadOnlyList<string> Violations(IEnumerable<Guid> accepted, IReadOnlySet<Guid> alarming) =>
        [.. ViolationsOf(accepted, alarming).Select(v => v.Message)];

    public IReadOnlyList<LedgerViolation> ViolationsOf(IEnumerable<Guid> accepted, IReadOnlySet<Guid> alarming)
    {
        var violations = new List<LedgerViolation>();
        foreach (var observationId in accepted)
        {
            void Add(LedgerFinding finding, string message) => violations.Add(new LedgerViolation(observationId, finding, message));

            var stored = _submitted.GetValueOrDefault(observationId);
            if (stored != 1)
            {
                Add(LedgerFinding.Stored, $"check-in {observationId} is stored {stored} times");
            }

            var alertId = AlertId.For(observationId);
            var alertStream = StreamId.ForAlert(alertId).Value;
            var raised = _alertsRaised.GetValueOrDefault(observationId) ?? [];
            var expected = alarming.Contains(observationId) ? 1 : 0;
            if (raised.Count != expected)
            {
                Add(LedgerFinding.Alert, $"{(expected == 1 ? "alarming" : "calm")} check-in {observationId} has {raised.Count} AlertRaised" +
                    (raised.Count > 0 ? $" ({string.Join(", ", raised)})" : ""));
            }
            else if (raised.Any(where => !where.StartsWith(alertStream + "@", StringComparison.Ordinal)))
            {
                Add(LedgerFinding.Alert, $"check-in {observationId} has its alert under an id its observation does not determine ({string.Join(", ", raised)}; expected {alertStream})");
            }

            foreach (var stream in new[] { StreamId.ForObservation(observationId).Value, alertStream })
            {
                if (_outboxMarks.TryGetValue(stream, out var marks))
                {
                    Add(LedgerFinding.Outbox, $"check-in {observationId} has commits still in the outbox: {string.Join(", ", marks)}");
                }
            }

            foreach (var (queue, body) in _deadLetters.Where(d => d.Body.Contains(observationId.ToString(), StringComparison.OrdinalIgnoreCase)
                || d.Body.Contains(alertId.ToString(), StringComparison.OrdinalIgnoreCase)))
            {
                Add(LedgerFinding.DeadLetter, $"check-in {observationId} has a message dead-lettered in {queue}: {body[..Math.Min(body.Length, 200)]}");
            }
        }

        return violations;
    }
}
