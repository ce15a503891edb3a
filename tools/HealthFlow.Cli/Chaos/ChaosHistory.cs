using System.Collections.Concurrent;

namespace HealthFlow.Cli.Chaos;

/// <summary>What a client asked for: the kinds of operation the workload records.</summary>
public static class OperationKinds
{
    public const string CheckIn = "check-in";
    public const string Acknowledge = "acknowledge";
    public const string Read = "read";
    public const string MoveIn = "move-in";
    public const string MoveOut = "move-out";
}

/// <summary>
/// One client request and its answer, as the client saw it: what the checker reads. <see cref="Status"/> is null when
/// no answer came (a timeout or a cut connection): such a request may or may not have taken effect.
/// </summary>
/// <param name="ObservationId">For a check-in: the id the server answered, or the one its Idempotency-Key determines.</param>
/// <param name="Alarming">For a check-in: whether the workload sent vitals it meant to alarm (the checker decides with the domain's rules, not this).</param>
/// <param name="CorrelationId">The X-Correlation-Id sent, which the audit record of a read carries.</param>
/// <param name="Items">For a read answered 200: how many items it carried (a page's, or 1). An empty page discloses no
/// patient's data, so it leaves no audit record.</param>
public sealed record ChaosOperation(
    long Sequence,
    string Kind,
    string Actor,
    DateTimeOffset Started,
    DateTimeOffset Finished,
    int? Status,
    Guid? PatientId = null,
    Guid? ObservationId = null,
    Guid? AlertId = null,
    string? IdempotencyKey = null,
    string? CorrelationId = null,
    string? Path = null,
    bool Alarming = false,
    int Items = 0)
{
    public bool Answered(int status) => Status == status;

    public bool AnsweredClientError => Status is >= 400 and < 500;
}

/// <summary>One fault the nemesis injected, and when it was healed.</summary>
public sealed record ChaosFault(string Kind, string Target, DateTimeOffset Started, DateTimeOffset? Healed, string Detail);

/// <summary>An SSE delivery: which stream (clinician and connection) received which alert change, and when.</summary>
public sealed record StreamDelivery(string Clinician, int StreamNumber, Guid AlertId, Guid PatientId, string Status, DateTimeOffset ReceivedAt);

/// <summary>The history of a run, appended to concurrently by the workload and the nemesis.</summary>
public sealed class ChaosHistory
{
    private readonly ConcurrentQueue<ChaosOperation> _operations = new();
    private readonly ConcurrentQueue<ChaosFault> _faults = new();
    private readonly ConcurrentQueue<StreamDelivery> _deliveries = new();
    private long _sequence;

    public ChaosHistory()
    {
    }

    /// <summary>A history given whole: what a checker test plants its bug in.</summary>
    public ChaosHistory(IEnumerable<ChaosOperation> operations, IEnumerable<ChaosFault>? faults = null, IEnumerable<StreamDelivery>? deliveries = null)
    {
        foreach (var delivery in deliveries ?? [])
        {
            _deliveries.Enqueue(delivery);
        }

        foreach (var operation in operations)
        {
            _operations.Enqueue(operation);
        }

        foreach (var fault in faults ?? [])
        {
            _faults.Enqueue(fault);
        }
    }

    public IReadOnlyList<ChaosOperation> Operations => [.. _operations.OrderBy(o => o.Sequence)];

    public IReadOnlyList<ChaosFault> Faults => [.. _faults.OrderBy(f => f.Started)];

    public IReadOnlyList<StreamDelivery> Deliveries => [.. _deliveries];

    public long NextSequence() => Interlocked.Increment(ref _sequence);

    public void Record(ChaosOperation operation) => _operations.Enqueue(operation);

    public void Record(ChaosFault fault) => _faults.Enqueue(fault);

    public void Record(StreamDelivery delivery) => _deliveries.Enqueue(delivery);
}
