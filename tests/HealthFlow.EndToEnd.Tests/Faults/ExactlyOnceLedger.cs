using HealthFlow.Aws.EventStore;
using HealthFlow.Domain.Events;
using Microsoft.Extensions.DependencyInjection;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// "Exactly once", checked where a duplicate would show: in the event store itself. The read models are keyed by
/// the ids they would have to count (an alert row by its alert id, an observation row by its observation id), so
/// a second <c>AlertRaised</c> in an alert's stream, or an alert under another id, collapses there into one row.
/// The ledger reads every event of every stream and counts, per check-in, the <c>ObservationSubmitted</c> events
/// and the <c>AlertRaised</c> events that name it, wherever they are stored.
/// </summary>
public sealed class ExactlyOnceLedger
{
    private readonly Dictionary<Guid, int> _submitted = [];
    private readonly Dictionary<Guid, List<string>> _alertsRaised = [];

    private ExactlyOnceLedger()
    {
    }

    public static async Task<ExactlyOnceLedger> ReadAsync(SystemEventStore store)
    {
        var ledger = new ExactlyOnceLedger();
        await foreach (var envelope in store.Services.GetRequiredService<IEventStore>().ReadAllAsync())
        {
            switch (envelope.Type)
            {
                case EventTypes.ObservationSubmitted:
                    var observationId = envelope.DataAs<ObservationSubmitted>().ObservationId;
                    ledger._submitted[observationId] = ledger._submitted.GetValueOrDefault(observationId) + 1;
                    break;
                case EventTypes.AlertRaised:
                    var raised = envelope.DataAs<AlertRaised>();
                    if (!ledger._alertsRaised.TryGetValue(raised.ObservationId, out var where))
                    {
                        ledger._alertsRaised[raised.ObservationId] = where = [];
                    }

                    where.Add($"{envelope.StreamId}@{envelope.Version}");
                    break;
            }
        }

        return ledger;
    }

    /// <summary>
    /// Every accepted check-in stored once, every alarming one with exactly one <c>AlertRaised</c>, every calm one
    /// with none. Each violation names the check-in and where its events are, so one can be looked up.
    /// </summary>
    public IReadOnlyList<string> Violations(IEnumerable<Guid> accepted, IReadOnlySet<Guid> alarming)
    {
        var violations = new List<string>();
        foreach (var observationId in accepted)
        {
            var stored = _submitted.GetValueOrDefault(observationId);
            if (stored != 1)
            {
                violations.Add($"check-in {observationId} is stored {stored} times");
            }

            var raised = _alertsRaised.GetValueOrDefault(observationId) ?? [];
            var expected = alarming.Contains(observationId) ? 1 : 0;
            if (raised.Count != expected)
            {
                violations.Add(
                    $"{(expected == 1 ? "alarming" : "calm")} check-in {observationId} has {raised.Count} AlertRaised" +
                    (raised.Count > 0 ? $" ({string.Join(", ", raised)})" : ""));
            }
        }

        return violations;
    }

    /// <summary>Fails with every violation at once, rather than the first.</summary>
    public void AssertExactlyOnce(IReadOnlyCollection<Guid> accepted, IReadOnlySet<Guid> alarming)
    {
        Assert.NotEmpty(accepted);
        var violations = Violations(accepted, alarming);
        Assert.True(violations.Count == 0, $"{violations.Count} exactly-once violations:\n{string.Join("\n", violations)}");
    }
}
