using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>Crashes and restarts the AppHost's resources, as an out-of-memory kill or a node failure would.</summary>
public sealed class ResourceControl(DistributedApplication app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    // The snapshot property DCP fills with a running project's process id (KnownProperties.Executable.Pid, internal to Aspire).
    private const string ProcessIdProperty = "executable.pid";

    private ResourceNotificationService Notifications => app.Services.GetRequiredService<ResourceNotificationService>();

    /// <summary>SIGKILL: no graceful shutdown, in-flight messages are neither finished nor released.</summary>
    public async Task KillAsync(string resource)
    {
        if (AppHostFixture.FromContainers && HealthFlow.AppHost.ServiceContainers.DefaultPorts.ContainsKey(resource))
        {
            // The resource's process is the `podman run` client; killing it would leave the container running.
            // Killing the container ends the client too, as a task's container exiting ends the ECS task.
            var port = app.GetEndpoint(resource, "http").Port;
            using var podman = Process.Start(new ProcessStartInfo(HealthFlow.AppHost.ServiceContainers.Runtime,
                ["kill", "--signal=KILL", HealthFlow.AppHost.ServiceContainers.ContainerName(resource, port)])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            await podman.WaitForExitAsync();
            Assert.True(podman.ExitCode == 0, $"podman kill {resource}: {await podman.StandardError.ReadToEndAsync()}");
        }
        else
        {
            await KillProcessAsync(ProcessId(resource));
        }

        using var timeout = new CancellationTokenSource(Patience);
        await Notifications.WaitForResourceAsync(resource, e => e.Snapshot.State?.Text is "Exited" or "Finished" or "FailedToStart", timeout.Token);
    }

    /// <summary>SIGKILL to one process (a replica, found by its process id), returning once it is gone.</summary>
    public static async Task KillProcessAsync(int processId)
    {
        using var process = Process.GetProcessById(processId);
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>Starts a stopped or crashed resource again and waits until it is healthy.</summary>
    public async Task StartAsync(string resource)
    {
        var commands = app.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand);
        Assert.True(result.Success, $"Starting {resource} failed: {result.Message}");
        await WaitHealthyAsync(resource);
    }

    public async Task WaitHealthyAsync(string resource)
    {
        using var timeout = new CancellationTokenSource(Patience);
        await Notifications.WaitForResourceHealthyAsync(resource, timeout.Token);
    }

    private int ProcessId(string resource)
    {
        if (!Notifications.TryGetCurrentState(resource, out var state))
        {
            throw new InvalidOperationException($"The AppHost has no resource {resource}.");
        }

        var pid = state.Snapshot.Properties.FirstOrDefault(p => p.Name == ProcessIdProperty)?.Value;
        return pid is not null && int.TryParse(Convert.ToString(pid, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new InvalidOperationException($"Resource {resource} reports no process id; is it running?");
    }
}
