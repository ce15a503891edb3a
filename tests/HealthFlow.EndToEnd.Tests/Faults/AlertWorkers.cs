using HealthFlow.Topology;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// The alert worker a fault scenario runs against, kills and starts again: the AppHost's real one, or the planted one
/// of the scenario's negative control. The same scenario body runs against either.
/// </summary>
public interface IAlertWorkerUnderTest
{
    /// <summary>The queues nobody consumes while this worker runs (their messages wait, as for a crashed worker).</summary>
    IReadOnlyCollection<string> StoppedQueues { get; }

    Task KillAsync();

    Task StartAsync();
}

public static class AlertWorkerQuiescence
{
    /// <summary>
    /// Waits until nothing more will be stored of a scenario's check-ins: the work queues drained and, when the worker under
    /// test consumes them, the escalation deadlines decided too, since an alert's escalation (seconds after it is raised in
    /// this system) appends and publishes after the queues have drained.
    /// </summary>
    public static Task WaitAsync(this SystemQuiescence quiescence, IAlertWorkerUnderTest worker, TimeSpan timeout) =>
        worker.StoppedQueues.Contains(HealthFlowTopology.Queues.AlertEscalation.Name)
            ? quiescence.WaitAsync(worker.StoppedQueues, timeout)
            : quiescence.WaitForEscalationDeadlinesAsync(timeout);
}

/// <summary>The AppHost's alert-worker, killed with SIGKILL.</summary>
public sealed class AppHostAlertWorker(ResourceControl resources) : IAlertWorkerUnderTest
{
    public const string Resource = "alert-worker";

    public IReadOnlyCollection<string> StoppedQueues => [];

    public Task KillAsync() => resources.KillAsync(Resource);

    public Task StartAsync() => resources.StartAsync(Resource);
}

/// <summary>
/// <see cref="PlantedAlertWorker"/> in place of the AppHost's alert-worker, which is killed for as long as this lives
/// and started again when it is disposed. Its kills land between an append and its acknowledgement.
/// </summary>
public sealed class PlantedAlertWorkers : IAlertWorkerUnderTest, IAsyncDisposable
{
    private readonly ResourceControl _resources;
    private readonly Uri _awsEndpoint;
    private readonly List<Guid> _heldAtCrash = [];
    private PlantedAlertWorker? _current;

    private PlantedAlertWorkers(ResourceControl resources, Uri awsEndpoint) => (_resources, _awsEndpoint) = (resources, awsEndpoint);

    /// <summary>
    /// The planted worker reads alert-evaluation only: escalation and check-in deadlines of earlier tests wait for the
    /// real worker, as they would while it is down.
    /// </summary>
    public IReadOnlyCollection<string> StoppedQueues => [HealthFlowTopology.Queues.AlertEscalation.Name, HealthFlowTopology.Queues.CheckInDeadlines.Name];

    /// <summary>The check-ins whose messages a kill left appended but not acknowledged.</summary>
    public IReadOnlyList<Guid> HeldAtCrash => _heldAtCrash;

    public static async Task<PlantedAlertWorkers> StartAsync(ResourceControl resources, Uri awsEndpoint, SystemQuiescence quiescence)
    {
        // Whatever the real worker holds is finished first, so nothing of an earlier test reaches the planted one.
        await quiescence.WaitAsync();
        await resources.KillAsync(AppHostAlertWorker.Resource);
        var workers = new PlantedAlertWorkers(resources, awsEndpoint);
        await workers.StartAsync();
        return workers;
    }

    public async Task KillAsync()
    {
        var crashed = _current ?? throw new InvalidOperationException("The planted worker is not running.");
        _heldAtCrash.Add(await crashed.CrashAsync());
    }

    public async Task StartAsync()
    {
        _current?.Dispose();
        _current = await PlantedAlertWorker.StartAsync(_awsEndpoint);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _current?.Dispose();
        }
        finally
        {
            await _resources.StartAsync(AppHostAlertWorker.Resource);
        }
    }
}
