using System.Text.Json.Serialization;
using HealthFlow.LocalAws.Protocol;

namespace HealthFlow.LocalAws.Faults;

/// <summary>
/// Faults LocalAws injects on purpose, so that tests (and developers) can watch the system under a
/// slow or failing EventBridge. Off by default; set at start (LocalAws:Faults:*) or at run time
/// through <c>/_localaws/faults</c>.
/// </summary>
public sealed record FaultSettings(
    [property: JsonPropertyName("putEventsDelayMs")] int PutEventsDelayMs = 0,
    [property: JsonPropertyName("putEventsFailureRate")] double PutEventsFailureRate = 0)
{
    public const int MaxDelayMs = 120_000;

    public static readonly FaultSettings None = new();

    /// <summary>The problem with these settings, or null when they are valid.</summary>
    public (string Field, string Message)? Problem() =>
        PutEventsDelayMs is < 0 or > MaxDelayMs ? ("putEventsDelayMs", $"putEventsDelayMs must be 0 to {MaxDelayMs}.")
        : PutEventsFailureRate is < 0 or > 1 || double.IsNaN(PutEventsFailureRate) ? ("putEventsFailureRate", "putEventsFailureRate must be a number from 0 to 1.")
        : null;
}

/// <summary>Holds the current <see cref="FaultSettings"/> and applies them to PutEvents.</summary>
public sealed class FaultInjector(LocalAwsOptions options)
{
    private volatile FaultSettings _settings = options.Faults ?? FaultSettings.None;

    public FaultSettings Current => _settings;

    public void Set(FaultSettings settings) => _settings = settings;

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
            logger.LogWarning("Fault injection set: PutEvents delay {DelayMs} ms, failure rate {FailureRate}", settings.PutEventsDelayMs, settings.PutEventsFailureRate);
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
