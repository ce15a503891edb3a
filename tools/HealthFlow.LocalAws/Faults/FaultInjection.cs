using System.Text.Json;
using System.Text.Json.Serialization;
using HealthFlow.LocalAws.Protocol;

namespace HealthFlow.LocalAws.Faults;

/// <summary>
/// Faults LocalAws injects on purpose, so that tests (and developers) can watch the system under a
/// slow or failing EventBridge, or a DynamoDB write that lands late. Off by default; set at start
/// (LocalAws:Faults:*) or at run time through <c>/_localaws/faults</c>.
/// </summary>
/// <param name="LateWriteTable">With <paramref name="LateWriteCount"/>: the next that many PutItem, UpdateItem or
/// DeleteItem calls on this table are held before they reach dynalite, until the faults are set again (PUT or
/// DELETE) or <paramref name="LateWriteMaxDelayMs"/> has passed. GET reports how many are still to be held.</param>
/// <param name="HeldQueue">No ReceiveMessage gets a message from this queue until the faults are set again (PUT or
/// DELETE): its messages stay, visible or delayed, and a long poll on it waits. A test holds escalation deadlines this
/// way, acts at leisure, then lets the worker decide, instead of racing a deadline on the real clock.</param>
public sealed partial record FaultSettings(
    [property: JsonPropertyName("putEventsDelayMs")] int PutEventsDelayMs = 0,
    [property: JsonPropertyName("putEventsFailureRate")] double PutEventsFailureRate = 0,
    [property: JsonPropertyName("lateWriteTable")] string? LateWriteTable = null,
    [property: JsonPropertyName("lateWriteCount")] int LateWriteCount = 0,
    [property: JsonPropertyName("lateWriteMaxDelayMs")] int LateWriteMaxDelayMs = 30_000,
    [property: JsonPropertyName("heldQueue")] string? HeldQueue = null)
{
    public const int MaxDelayMs = 120_000;

    public static readonly FaultSettings None = new();

    /// <summary>The problem with these settings, or null when they are valid.</summary>
    public (string Field, string Message)? Problem() =>
        PutEventsDelayMs is < 0 or > MaxDelayMs ? ("putEventsDelayMs", $"putEventsDelayMs must be 0 to {MaxDelayMs}.")
        : PutEventsFailureRate is < 0 or > 1 || double.IsNaN(PutEventsFailureRate) ? ("putEventsFailureRate", "putEventsFailureRate must be a number from 0 to 1.")
        : LateWriteCount is < 0 or > 1_000 ? ("lateWriteCount", "lateWriteCount must be 0 to 1000.")
        : LateWriteCount > 0 && string.IsNullOrWhiteSpace(LateWriteTable) ? ("lateWriteTable", "lateWriteTable names the table whose writes are held.")
        : LateWriteMaxDelayMs is < 0 or > MaxDelayMs ? ("lateWriteMaxDelayMs", $"lateWriteMaxDelayMs must be 0 to {MaxDelayMs}.")
        : HeldQueue is not null && !QueueName().IsMatch(HeldQueue) ? ("heldQueue", "heldQueue must be a queue name: 1 to 80 letters, digits, hyphens or underscores.")
        : null;

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9_-]{1,80}$")]
    private static partial System.Text.RegularExpressions.Regex QueueName();
}

/// <summary>Holds the current <see cref="FaultSettings"/> and applies them to PutEvents and DynamoDB writes.</summary>
public sealed class FaultInjector
{
    private static readonly HashSet<string> WriteOperations = new(StringComparer.Ordinal) { "PutItem", "UpdateItem", "DeleteItem" };

    private readonly Lock _gate = new();
    private FaultSettings _settings = FaultSettings.None;
    private int _lateWritesLeft;
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FaultInjector(LocalAwsOptions options) => Set(options.Faults ?? FaultSettings.None);

    public FaultSettings Current
    {
        get
        {
            lock (_gate)
                return _settings with { LateWriteCount = _lateWritesLeft };
        }
    }

    /// <summary>Whether deliveries of <paramref name="queue"/> are held now, and the task that completes when the settings change.</summary>
    internal (bool Held, Task Released) DeliveriesOf(string queue)
    {
        lock (_gate)
            return (string.Equals(_settings.HeldQueue, queue, StringComparison.Ordinal), _release.Task);
    }

    /// <summary>Replaces the settings, and lets every write and delivery held by the previous ones go.</summary>
    public void Set(FaultSettings settings)
    {
        TaskCompletionSource released;
        lock (_gate)
        {
            _settings = settings;
            _lateWritesLeft = settings.LateWriteCount;
            released = _release;
            _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        released.TrySetResult();
    }

    /// <summary>
    /// Runs before a DynamoDB call is forwarded: holds it when it is one of the late writes asked for. Only
    /// then is the body read (and rewound), so the calls of a run without this fault pay nothing.
    /// </summary>
    internal async Task BeforeDynamoDbAsync(HttpContext context, string operation)
    {
        if (Volatile.Read(ref _lateWritesLeft) == 0 || !WriteOperations.Contains(operation))
            return;
        context.Request.EnableBuffering();
        string? table;
        using (var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false))
            table = document.RootElement.TryGetProperty("TableName", out var name) ? name.GetString() : null;
        context.Request.Body.Position = 0;

        Task released;
        int maxDelayMs;
        lock (_gate)
        {
            if (_lateWritesLeft == 0 || !string.Equals(table, _settings.LateWriteTable, StringComparison.Ordinal))
                return;
            _lateWritesLeft--;
            released = _release.Task;
            maxDelayMs = _settings.LateWriteMaxDelayMs;
        }

        // Like the PutEvents delay, the hold ignores the caller hanging up: the write still lands, late.
        await Task.WhenAny(released, Task.Delay(maxDelayMs)).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs before a PutEvents is routed: waits the injected delay, then fails the whole call with a
    /// 500 InternalException at the injected rate. The delay ignores the caller hanging up, as AWS
    /// would: a caller that timed out cannot know whether its events went out, and neither may a test.
    /// </summary>
    internal async Task BeforePutEventsAsync()
    {
        var settings = _settings;
        if (settings.PutEventsDelayMs > 0)
            await Task.Delay(settings.PutEventsDelayMs).ConfigureAwait(false);
        if (settings.PutEventsFailureRate > 0 && Random.Shared.NextDouble() < settings.PutEventsFailureRate)
            throw new AwsServiceException("InternalException", "LocalAws injected a PutEvents failure (see /_localaws/faults).", statusCode: 500);
    }
}

/// <summary><c>GET</c>, <c>PUT</c> and <c>DELETE /_localaws/faults</c>.</summary>
public static class FaultEndpoints
{
    public const string Path = "/_localaws/faults";

    public static IEndpointRouteBuilder MapFaultEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, (FaultInjector faults) => TypedResults.Ok(faults.Current));
        app.MapPut(Path, (FaultSettings settings, FaultInjector faults, ILogger<FaultInjector> logger) =>
        {
            if (settings.Problem() is var (field, message))
                return Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
            faults.Set(settings);
            logger.LogWarning(
                "Fault injection set: PutEvents delay {DelayMs} ms, failure rate {FailureRate}; {LateWrites} late writes to {LateWriteTable}; deliveries of {HeldQueue} held",
                settings.PutEventsDelayMs, settings.PutEventsFailureRate, settings.LateWriteCount, settings.LateWriteTable, settings.HeldQueue ?? "no queue");
            return Results.Ok(settings);
        });
        app.MapDelete(Path, (FaultInjector faults, ILogger<FaultInjector> logger) =>
        {
            faults.Set(FaultSettings.None);
            logger.LogInformation("Fault injection off");
            return TypedResults.Ok(FaultSettings.None);
        });
        return app;
    }
}
