using System.Net;
using System.Text.Json.Nodes;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using HealthFlow.EndToEnd.Tests.Faults;
using HealthFlow.EndToEnd.Tests.Rehearsal;

namespace HealthFlow.EndToEnd.Tests.Containers;

/// <summary>
/// One task's container, started from its service image (scripts/images.sh) through the engine's Docker API with
/// Testcontainers, as ECS starts it from the task definition: its user, its environment, a read-only root
/// filesystem with writable scratch mounts, and healthy only once the task definition's health check, run inside
/// the container as ECS runs it, passes.
/// </summary>
/// <remarks>
/// The .NET services share the host's network: on Fargate each task has its own network interface and listens on
/// 8080, but here LocalAws answers only on the host's loopback (and takes only local Host headers), so each service
/// container listens on a port of its own, the one value rewritten (<see cref="LocalPlatform"/>), in its
/// environment and in the port its health check connects to. The web container needs no AWS: it gets a network of
/// its own and keeps 8080, mapped to a free host port.
/// </remarks>
public sealed class ServiceContainer : IAsyncDisposable
{
    private readonly IContainer _container;
    private readonly IReadOnlyList<string> _healthCheck;

    private ServiceContainer(TaskSettings task, IContainer container, Uri url, IReadOnlyList<string> healthCheck)
    {
        Definition = task;
        _container = container;
        Url = url;
        _healthCheck = healthCheck;
    }

    public TaskSettings Definition { get; }

    public string Service => Definition.Service;

    public string Id => _container.Id;

    /// <summary>Where the container's HTTP port answers on this machine.</summary>
    public Uri Url { get; private set; }

    /// <summary>A .NET service on the host's network, listening on <paramref name="port"/>.</summary>
    public static Task<ServiceContainer> StartOnHostNetworkAsync(TaskSettings task, int port, IReadOnlyDictionary<string, string> environment)
    {
        var declared = $"/{task.Runtime.ContainerPort}";
        var healthCheck = task.Runtime.HealthCheckCommand
            .Select(argument => argument.Replace("127.0.0.1" + declared, $"127.0.0.1/{port}", StringComparison.Ordinal))
            .ToList();
        Assert.True(!healthCheck.SequenceEqual(task.Runtime.HealthCheckCommand),
            $"{task.Service}'s health check does not connect to 127.0.0.1{declared}, its container port: {string.Join(' ', task.Runtime.HealthCheckCommand)}");

        var container = Builder(task, environment, parameters => parameters.HostConfig!.NetworkMode = "host").Build();
        return StartAsync(task, container, _ => new Uri($"http://127.0.0.1:{port}"), healthCheck);
    }

    /// <summary>A container on a network of its own, its port mapped to a free port here; its environment as declared.</summary>
    public static Task<ServiceContainer> StartOnOwnNetworkAsync(TaskSettings task, IReadOnlyDictionary<string, string> environment)
    {
        var container = Builder(task, environment, _ => { }).WithPortBinding(task.Runtime.ContainerPort, assignRandomHostPort: true).Build();
        return StartAsync(task, container, c => new Uri($"http://127.0.0.1:{c.GetMappedPublicPort(task.Runtime.ContainerPort)}"), task.Runtime.HealthCheckCommand);
    }

    private static ContainerBuilder Builder(TaskSettings task, IReadOnlyDictionary<string, string> environment, Action<Docker.DotNet.Models.CreateContainerParameters> network)
    {
        var builder = new ContainerBuilder(ContainerEngine.Image(task.Service))
            // scripts/images.sh built it here; no registry is asked.
            .WithImagePullPolicy(_ => false)
            .WithName($"healthflow-test-{task.Service}-{Guid.NewGuid().ToString("N")[..8]}")
            .WithEnvironment(environment)
            .WithCreateParameterModifier(parameters =>
            {
                parameters.User = task.Runtime.User;
                parameters.HostConfig!.ReadonlyRootfs = task.Runtime.ReadonlyRootFilesystem;
                network(parameters);
            });
        foreach (var path in task.Runtime.ScratchPaths)
        {
            builder = builder.WithTmpfsMount(path);
        }

        return builder;
    }

    private static async Task<ServiceContainer> StartAsync(TaskSettings task, IContainer container, Func<IContainer, Uri> url, IReadOnlyList<string> healthCheck)
    {
        await container.StartAsync();
        var started = new ServiceContainer(task, container, url(container), healthCheck);
        try
        {
            // ECS's bound: the start period, then as many failed checks as it tolerates.
            await Eventually.UntilAsync(
                async () => container.State != TestcontainersStates.Running
                    ? throw new ServiceFailedException($"{task.Service} exited with {await container.GetExitCodeAsync()}:\n{await started.LogsAsync()}")
                    : await started.PassesHealthCheckAsync(),
                $"{task.Service}'s container to pass its task definition's health check",
                task.Runtime.HealthyWithin);
            return started;
        }
        catch (TimeoutException timeout)
        {
            var logs = await started.LogsAsync();
            await started.DisposeAsync();
            throw new ServiceFailedException($"{timeout.Message}\n{logs}");
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs the task definition's health check inside the container, as ECS does: healthy when it exits 0.</summary>
    public async Task<bool> PassesHealthCheckAsync() => (await _container.ExecAsync([.. _healthCheck])).ExitCode == 0;

    /// <summary>The user id the container's main process runs as (the real uid in /proc/1/status).</summary>
    public async Task<string> ProcessUserAsync()
    {
        var status = await _container.ExecAsync(["cat", "/proc/1/status"]);
        Assert.Equal(0, status.ExitCode);
        var uid = status.Stdout.Split('\n').Single(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return uid.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
    }

    /// <summary>The main process's command name: `dotnet` when the entry point exec'd it, not a shell in between.</summary>
    public async Task<string> ProcessNameAsync() => (await _container.ExecAsync(["cat", "/proc/1/comm"])).Stdout.Trim();

    public async Task<string> LogsAsync()
    {
        var (stdout, stderr) = await _container.GetLogsAsync();
        return string.Join('\n', (stdout + stderr).Split('\n').TakeLast(60));
    }

    /// <summary>
    /// What ECS does to stop a task: SIGTERM to the container, then SIGKILL if it still runs after the task
    /// definition's stop timeout. Returns the exit code, or null when it had to be killed.
    /// </summary>
    public async Task<long?> TerminateAsync()
    {
        using var engine = ContainerEngine.Client(ContainerEngine.Socket!);
        engine.Timeout = Definition.Runtime.StopTimeout + TimeSpan.FromSeconds(30);
        using var signal = await engine.PostAsync($"/containers/{Id}/kill?signal=SIGTERM", null);
        Assert.Equal(HttpStatusCode.NoContent, signal.StatusCode);

        using var stopTimeout = new CancellationTokenSource(Definition.Runtime.StopTimeout);
        try
        {
            using var waited = await engine.PostAsync($"/containers/{Id}/wait", null, stopTimeout.Token);
            return (long?)JsonNode.Parse(await waited.Content.ReadAsStringAsync())!["StatusCode"];
        }
        catch (OperationCanceledException) when (stopTimeout.IsCancellationRequested)
        {
            using var kill = await engine.PostAsync($"/containers/{Id}/kill?signal=SIGKILL", null);
            return null;
        }
    }

    public async ValueTask DisposeAsync() => await _container.DisposeAsync();
}
