using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HealthFlow.AppHost;

/// <summary>
/// `--ReplaceExitedTasks true`: a service replica that exits while running (a crash, an out-of-memory kill, a
/// SIGKILL) is started again, as ECS starts a new task when one of a service's tasks stops, so the service returns
/// to its desired count without anyone acting. Off by default: the fault tests kill a resource and start it
/// themselves, and a replacement racing their start would make those tests fail for the wrong reason. A replica
/// stopped through its stop command stays stopped, as a task stopped by an operator does not come back here either.
/// </summary>
public sealed class ExitedTaskReplacement(
    IReadOnlySet<string> services,
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    ResourceLoggerService resourceLogs,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<ExitedTaskReplacement> logger) : BackgroundService
{
    // The states DCP reports for a process that ended, whichever way it ended.
    private static readonly HashSet<string> Ended = [KnownResourceStates.Exited, KnownResourceStates.Finished, KnownResourceStates.FailedToStart];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The last state each replica was seen in: only Running straight to an end is an unplanned exit; a stop
        // command passes through Stopping first.
        var lastState = new Dictionary<string, string>();
        await foreach (var change in notifications.WatchAsync(stoppingToken))
        {
            if (!services.Contains(change.Resource.Name) || change.Snapshot.State?.Text is not { Length: > 0 } state)
            {
                continue;
            }

            var wasRunning = lastState.GetValueOrDefault(change.ResourceId) == KnownResourceStates.Running;
            lastState[change.ResourceId] = state;
            if (wasRunning && Ended.Contains(state) && !lifetime.ApplicationStopping.IsCancellationRequested)
            {
                _ = ReplaceAsync(change.ResourceId, change.Snapshot.ExitCode, stoppingToken);
            }
        }
    }

    private async Task ReplaceAsync(string replica, int? exitCode, CancellationToken stoppingToken)
    {
        var at = time.GetUtcNow();
        logger.LogWarning("{Replica} exited (code {ExitCode}) at {At:O} without a stop command; starting a replacement.", replica, exitCode, at);
        resourceLogs.GetLogger(replica).LogWarning("Exited (code {ExitCode}) at {At:O} without a stop command; starting a replacement.", exitCode, at);
        try
        {
            var result = await commands.ExecuteCommandAsync(replica, KnownResourceCommands.StartCommand, stoppingToken);
            if (!result.Success)
            {
                logger.LogError("Replacing {Replica} failed: {Message}", replica, result.Message);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The AppHost is shutting down: nothing is to be replaced any more.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Nobody awaits a replacement: its failure is logged here or nowhere.
            logger.LogError(e, "Replacing {Replica} failed.", replica);
        }
    }
}

public static class ExitedTaskReplacementExtensions
{
    /// <summary>Replaces the given services' exited replicas when `--ReplaceExitedTasks true` was given.</summary>
    public static void ReplaceExitedTasks(this IDistributedApplicationBuilder builder, params IResource[] services)
    {
        if (!builder.Configuration.GetValue("ReplaceExitedTasks", false))
        {
            return;
        }

        IReadOnlySet<string> names = services.Select(s => s.Name).ToHashSet();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService(provider => ActivatorUtilities.CreateInstance<ExitedTaskReplacement>(provider, names));
    }
}
