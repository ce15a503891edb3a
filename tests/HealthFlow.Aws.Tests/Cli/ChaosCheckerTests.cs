using System.Text.Json;
using HealthFlow.Cli.Bench;
using HealthFlow.Cli.Chaos;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;

namespace HealthFlow.Aws.Tests.Cli;

/// <summary>
/// The chaos checker is a function of (history, store snapshot), so each of its invariants is shown to hold on a
/// consistent run and to report the bug planted into a copy of it, naming the id to look up. A checker that
/// cannot fail checks nothing.
/// </summary>
public sealed class ChaosCheckerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly EscalationPolicy Policy = new() { HighAfter = TimeSpan.FromSeconds(5), MediumAfter = TimeSpan.FromSeconds(10) };
    private static readonly ChaosChecker Checker = ChaosChecker.Default(new AlertRulesOptions(), Policy);

    private static readonly Guid Patient = Guid.Parse("0ccb5b89-0000-4000-8000-000000000001");
    private static readonly Guid Alarming = Guid.Parse("01a21a08-0000-7000-8000-00000000000a");
    private static readonly Guid Calm = Guid.Parse("01a21a08-0000-7000-8000-00000000000c");
    private static readonly Guid Refused = Guid.Parse("01a21a08-0000-7000-8000-00000000000f");
    private static readonly Guid Open = Guid.Parse("01a21a08-0000-7000-8000-00000000000e");
    private static readonly Guid Record = Guid.Parse("01a21a08-0000-7000-8000-0000000000ad");
    private const string Correlation = "chaos-test-1";

    [Fact]
    public void A_consistent_run_violates_nothing_and_checks_every_invariant()
    {
        var results = Checker.Check(History(), Snapshot());

        AssertNonEmpty.All(results, r => Assert.True(r.Holds, $"{r.Name}: {string.Join("; ", r.Violations)}"));
        AssertNonEmpty.All(results, r => Assert.True(r.Checked > 0, $"{r.Name} checked nothing"));
    }

    [Fact]
    public void A_check_in_appended_twice_is_reported_by_its_observation_id()
    {
        var snapshot = Snapshot() with { Events = [.. Snapshot().Events, Event($"observation-{Calm}", 2, CheckIn(Calm, CheckInMix.NormalCheckIn(0)))] };

        AssertReported<CheckInsStoredOnce>(snapshot, Calm.ToString(), "stored 2 times");
    }

    [Fact]
    public void A_check_in_projected_twice_or_never_is_reported()
    {
        AssertReported<CheckInsStoredOnce>(Snapshot() with { Observations = [.. Snapshot().Observations, new(Calm, Patient)] }, Calm.ToString(), "projected 2 times");
        AssertReported<CheckInsStoredOnce>(Snapshot() with { Observations = [new(Alarming, Patient), new(Open, Patient)] }, Calm.ToString(), "projected 0 times");
    }

    [Fact]
    public void A_check_in_answered_4xx_but_stored_is_reported()
    {
        var snapshot = Snapshot() with { Events = [.. Snapshot().Events, Event($"observation-{Refused}", 1, CheckIn(Refused, CheckInMix.NormalCheckIn(0)))] };

        AssertReported<CheckInsStoredOnce>(snapshot, Refused.ToString(), "answered 4xx but is stored");
    }

    [Fact]
    public void An_alert_whose_id_ignores_the_observation_is_reported()
    {
        var wrongId = Guid.Parse("0a62ae30-0000-4000-8000-000000000001");
        var snapshot = Snapshot() with
        {
            Events = [.. Snapshot().Events.Where(e => e.StreamId != $"alert-{AlertId.For(Alarming)}" || e.Type != EventTypes.AlertRaised),
                Event($"alert-{wrongId}", 1, Raised(wrongId, Alarming))],
        };

        AssertReported<OneAlertPerAlarmingCheckIn>(snapshot, Alarming.ToString(), "under an id its observation does not determine");
    }

    [Fact]
    public void A_calm_check_in_with_an_alert_and_an_alarming_one_raised_twice_are_reported()
    {
        var calmAlert = AlertId.For(Calm);
        var snapshot = Snapshot() with
        {
            Events = [.. Snapshot().Events, Event($"alert-{calmAlert}", 1, Raised(calmAlert, Calm)), Event($"alert-{Guid.NewGuid()}", 1, Raised(Guid.NewGuid(), Alarming))],
        };

        // The calm check-in's alert is also open past its deadline: the escalation invariant reports it as well.
        AssertReported<OneAlertPerAlarmingCheckIn>(snapshot, Calm.ToString(), "calm check-in", alone: false);
        AssertReported<OneAlertPerAlarmingCheckIn>(snapshot, Alarming.ToString(), "has 2 AlertRaised", alone: false);
    }

    [Fact]
    public void An_acknowledgement_missing_from_the_read_model_is_reported()
    {
        var alertId = AlertId.For(Alarming);
        var snapshot = Snapshot() with { Alerts = [.. Snapshot().Alerts.Select(a => a.AlertId == alertId ? a with { Status = "open" } : a)] };

        // The stream showed the acknowledgement the read model lost: the convergence invariant reports it as well.
        AssertReported<AcknowledgementsKept>(snapshot, alertId.ToString(), "open in the alerts read model", alone: false);
    }

    [Fact]
    public void An_acknowledgement_answered_202_or_409_for_an_alert_left_open_is_reported()
    {
        var alertId = AlertId.For(Open);
        var history = new ChaosHistory([.. History().Operations,
            Op(OperationKinds.Acknowledge, 202, alertId: alertId), Op(OperationKinds.Acknowledge, 409, alertId: alertId)]);

        var result = Result<AcknowledgementsKept>(history, Snapshot());

        Assert.Contains(result.Violations, v => v.Id == alertId.ToString() && v.Message.Contains("answered 202 but its stream holds no AlertAcknowledged", StringComparison.Ordinal));
        Assert.Contains(result.Violations, v => v.Id == alertId.ToString() && v.Message.Contains("answered 409, yet nobody acknowledged it", StringComparison.Ordinal));
    }

    [Fact]
    public void An_audit_record_deleted_changed_or_never_written_is_reported()
    {
        AssertReported<AuditComplete>(Snapshot() with { Audit = [] }, Record.ToString(), "missing from the audit table");
        AssertReported<AuditComplete>(Snapshot() with { Audit = [.. Snapshot().Audit.Select(r => r with { Count = 0 })] }, Record.ToString(), "was changed");

        var unaudited = new ChaosHistory([.. History().Operations, Op(OperationKinds.Read, 200, correlationId: "chaos-test-unaudited")]);
        AssertReported<AuditComplete>(unaudited, Snapshot(), "chaos-test-unaudited", "without an audit record");

        // An empty page carried no patient's data: no record is owed.
        var empty = new ChaosHistory([.. History().Operations, Op(OperationKinds.Read, 200, correlationId: "chaos-test-empty") with { Items = 0 }]);
        Assert.True(Result<AuditComplete>(empty, Snapshot()).Holds);
    }

    [Fact]
    public void An_escalation_after_the_acknowledgement_twice_at_a_level_or_missing_past_the_deadline_is_reported()
    {
        var acknowledged = AlertId.For(Alarming);
        var open = AlertId.For(Open);
        var late = Snapshot() with { Events = [.. Snapshot().Events, Event($"alert-{acknowledged}", 3, Escalated(acknowledged))] };
        AssertReported<EscalatedOnce>(late, acknowledged.ToString(), "after its acknowledgement");

        var twice = Snapshot() with { Events = [.. Snapshot().Events, Event($"alert-{open}", 3, Escalated(open))] };
        AssertReported<EscalatedOnce>(twice, open.ToString(), "escalated 2 times at level 1");

        var never = Snapshot() with { Events = [.. Snapshot().Events.Where(e => e.Type != EventTypes.AlertEscalated)] };
        AssertReported<EscalatedOnce>(never, open.ToString(), "never escalated");
    }

    [Fact]
    public void A_stream_that_missed_an_alert_or_still_shows_it_open_after_its_acknowledgement_is_reported()
    {
        var acknowledged = AlertId.For(Alarming);
        var stale = History(
        [
            new("clinician1", 1, acknowledged, Patient, "open", T0.AddSeconds(1)),
            new("clinician1", 1, AlertId.For(Open), Patient, "open", T0.AddSeconds(6)),
            new("clinician1", 2, acknowledged, Patient, "acknowledged", T0.AddSeconds(2)),
        ]);

        var result = Result<StreamsConverge>(stale, Snapshot());

        Assert.Contains(result.Violations, v => v.Id == acknowledged.ToString() && v.Message.Contains("stream 1 last showed alert", StringComparison.Ordinal));
        Assert.Contains(result.Violations, v => v.Id == AlertId.For(Open).ToString() && v.Message.Contains("never reached clinician1's stream 2", StringComparison.Ordinal));
        Assert.Equal(2, result.Violations.Count);
    }

    [Fact]
    public void A_commit_left_in_the_outbox_a_dead_letter_or_a_lease_of_a_dead_process_is_reported()
    {
        var stream = $"observation-{Calm}";
        AssertReported<NothingLeftOnTheWay>(Snapshot() with { Outbox = [new(stream, 1, "parked")] }, $"{stream}@1", "still in the outbox");
        AssertReported<NothingLeftOnTheWay>(Snapshot() with { DeadLetters = [new("alert-evaluation-dlq", "{}")] }, "alert-evaluation-dlq", "holds a message");
        AssertReported<NothingLeftOnTheWay>(
            Snapshot() with { Leases = [new("outbox/command-api/shard-1", "host/4242/x", T0.AddHours(2), OwnerRunning: false)] },
            "outbox/command-api/shard-1", "no longer runs");
    }

    private static void AssertReported<TInvariant>(StoreSnapshot snapshot, string id, string message, bool alone = true) where TInvariant : IInvariant =>
        AssertReported<TInvariant>(History(), snapshot, id, message, alone);

    private static void AssertReported<TInvariant>(ChaosHistory history, StoreSnapshot snapshot, string id, string message, bool alone = true) where TInvariant : IInvariant
    {
        var result = Result<TInvariant>(history, snapshot);
        Assert.Contains(result.Violations, v => v.Id == id && v.Message.Contains(message, StringComparison.Ordinal));
        if (!alone)
        {
            return;
        }

        // The planted bug breaks this promise and no other.
        AssertNonEmpty.All(Checker.Check(history, snapshot).Where(r => r.Name != result.Name).ToList(), r => Assert.True(r.Holds, $"{r.Name}: {string.Join("; ", r.Violations)}"));
    }

    private static InvariantResult Result<TInvariant>(ChaosHistory history, StoreSnapshot snapshot) where TInvariant : IInvariant =>
        Checker.Invariants.OfType<TInvariant>().Single().Check(history, snapshot);

    /// <summary>
    /// The consistent run: an alarming check-in whose alert was acknowledged, a calm one, another alarming one left open
    /// past its deadline and escalated once, a refused one, and a clinician's audited read.
    /// </summary>
    private static ChaosHistory History(IEnumerable<StreamDelivery>? deliveries = null) => new(
    [
        Op(OperationKinds.CheckIn, 202, observationId: Alarming),
        Op(OperationKinds.CheckIn, 202, observationId: Calm),
        Op(OperationKinds.CheckIn, 202, observationId: Open),
        Op(OperationKinds.CheckIn, 400, observationId: Refused),
        Op(OperationKinds.Acknowledge, 202, alertId: AlertId.For(Alarming)),
        Op(OperationKinds.Acknowledge, 409, alertId: AlertId.For(Alarming)),
        Op(OperationKinds.Read, 200, correlationId: Correlation),
    ],
    deliveries: deliveries ??
    [
        new("clinician1", 1, AlertId.For(Alarming), Patient, "open", T0.AddSeconds(1)),
        new("clinician1", 1, AlertId.For(Alarming), Patient, "acknowledged", T0.AddSeconds(2)),
        new("clinician1", 1, AlertId.For(Open), Patient, "open", T0.AddSeconds(6)),
    ]);

    private static StoreSnapshot Snapshot()
    {
        var acknowledged = AlertId.For(Alarming);
        var open = AlertId.For(Open);
        return new StoreSnapshot(
            [
                Event($"observation-{Alarming}", 1, CheckIn(Alarming, CheckInMix.AlarmingCheckIn(0))),
                Event($"observation-{Calm}", 1, CheckIn(Calm, CheckInMix.NormalCheckIn(0))),
                Event($"observation-{Open}", 1, CheckIn(Open, CheckInMix.AlarmingCheckIn(1))),
                Event($"alert-{acknowledged}", 1, Raised(acknowledged, Alarming)),
                Event($"alert-{acknowledged}", 2, new AlertAcknowledged(acknowledged, Patient, "clinician1", "chaos", T0.AddSeconds(2))),
                Event($"alert-{open}", 1, Raised(open, Open)),
                Event($"alert-{open}", 2, Escalated(open)),
                Event($"audit-{Guid.Empty}", 1, new PatientDataAccessed(Record, "clinician1", "clinician", Patient, "GET /api/patients/{patientId}",
                    [Patient.ToString()], 1, "allowed", null, T0, Correlation)),
            ],
            [new(Alarming, Patient), new(Calm, Patient), new(Open, Patient)],
            [new(acknowledged, Patient, Alarming, "acknowledged", "clinician1", null), new(open, Patient, Open, "open", null, 1)],
            [new(Record, "clinician1", Patient, "GET /api/patients/{patientId}", 1, "allowed", Correlation)],
            [],
            [],
            [new("outbox/command-api/shard-0", $"{Environment.MachineName}/{Environment.ProcessId}/x", T0.AddHours(2), OwnerRunning: true)],
            T0.AddMinutes(5));
    }

    private static ChaosOperation Op(string kind, int status, Guid? observationId = null, Guid? alertId = null, string? correlationId = null) =>
        new(0, kind, kind == OperationKinds.CheckIn ? "patient" : "clinician1", T0, T0, status, Patient, observationId, alertId, CorrelationId: correlationId,
            Path: kind == OperationKinds.Read ? $"/api/patients/{Patient}" : null, Items: kind == OperationKinds.Read ? 1 : 0);

    private static ObservationSubmitted CheckIn(Guid observationId, VitalSigns vitals) => new(observationId, Patient, vitals.Vitals, T0, T0, null);

    private static AlertRaised Raised(Guid alertId, Guid observationId) =>
        new(alertId, Patient, observationId, "high", "news2", ["respiratoryRate 26 → 3"], 4, 8, false, T0.AddSeconds(1));

    private static AlertEscalated Escalated(Guid alertId) => new(alertId, Patient, "high", 1, T0.AddSeconds(6), T0.AddSeconds(6));

    private static EventEnvelope Event(string stream, long version, IDomainEvent data) => new(
        Guid.NewGuid(), stream, version, EventTypes.Of(data), T0, JsonSerializer.SerializeToElement(data, data.GetType(), DomainJson.Options),
        new EventMetadata("chaos-test", null, null, null, null));
}
