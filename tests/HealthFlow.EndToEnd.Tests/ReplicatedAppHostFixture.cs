using System.Collections.Concurrent;
using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// The AppHost with <see cref="Count"/> replicas of every service and exited replicas replaced
/// (`--replicas 2 --ReplaceExitedTasks true`), as ECS runs and replaces a service's tasks: for the tests that a
/// second instance must not break, and the chaos run that kills replicas. Its own collection, so its AppHost runs
/// only while that collection's tests do and is disposed when they end, before another collection starts its own.
/// </summary>
public sealed class ReplicatedAppHostFixture()
    : AppHostFixture(["--replicas", Count.ToString(CultureInfo.InvariantCulture), "--ReplaceExitedTasks", "true"])
{
    public const int Count = 2;

    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    // The snapshot property DCP fills with a running project's process id (KnownProperties.Executable.Pid, internal to Aspire).
    private const string ProcessIdProperty = "executable.pid";

    // The latest state of every resource instance: the notification service finds a replica by its id but lists none.
    private readonly ConcurrentDictionary<string, ResourceEvent> _latest = new();
    private readonly CancellationTokenSource _stopWatching = new();
    private Task _watching = Task.CompletedTask;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var notifications = App.Services.GetRequiredService<ResourceNotificationService>();
        _watching = Task.Run(async () =>
        {
            await foreach (var change in notifications.WatchAsync(_stopWatching.Token))
            {
                _latest[change.ResourceId] = change;
            }
        });

        // The base waits for one healthy instance of each service; the tests here need every one.
        await Eventually.UntilAsync(async () =>
        {
            foreach (var service in Services)
            {
                var replicas = Replicas(service);
                if (replicas.Count != Count || !(await Task.WhenAll(replicas.Select(IsHealthyAsync))).All(healthy => healthy))
                {
                    return false;
                }
            }

            return true;
        }, $"{Count} healthy replicas of each service", Patience);
    }

    /// <summary>
    /// Each running replica of a service as it is now. A replaced replica keeps its resource id and has a new
    /// process id and port, so a test asks again after a kill rather than keeping the list.
    /// </summary>
    public IReadOnlyList<ServiceReplica> Replicas(string service) =>
        [.. _latest.Values
            .Where(e => e.Resource.Name == service && e.Snapshot.State?.Text == KnownResourceStates.Running)
            .OrderBy(e => e.ResourceId, StringComparer.Ordinal)
            .Select(e => (e.ResourceId, Pid: e.Snapshot.Properties.FirstOrDefault(p => p.Name == ProcessIdProperty)?.Value,
                Urls: e.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value))
            .Where(e => e.Pid is not null && e.Urls is not null)
            .Select(e => new ServiceReplica(service, e.ResourceId,
                int.Parse(Convert.ToString(e.Pid, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture),
                new Uri(e.Urls!.Split(';')[0])))];

    /// <summary>Waits until the replica runs in a process other than <paramref name="killed"/> and answers its own /health.</summary>
    public Task<ServiceReplica> WaitReplacedAsync(ServiceReplica killed) =>
        Eventually.GetAsync(async () =>
            Replicas(killed.Service).FirstOrDefault(r => r.ResourceId == killed.ResourceId && r.ProcessId != killed.ProcessId) is { } replacement
            && await IsHealthyAsync(replacement)
                ? replacement
                : null,
            $"a replacement of {killed.ResourceId}", Patience);

    /// <summary>A client for one replica, past Aspire's proxy, as a health check or a second task behind the ALB is reached.</summary>
    public static HttpClient CreateReplicaClient(ServiceReplica replica) => new() { BaseAddress = replica.Url, Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<bool> IsHealthyAsync(ServiceReplica replica)
    {
        using var client = CreateReplicaClient(replica);
        try
        {
            return (await client.GetAsync("/health")).IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    public override async Task DisposeAsync()
    {
        await _stopWatching.CancelAsync();
        try
        {
            await _watching;
        }
        catch (OperationCanceledException)
        {
            // The watch ends by its cancellation.
        }

        _stopWatching.Dispose();
        await base.DisposeAsync();
    }
}

/// <summary>One running replica of a service: its resource id in the AppHost, its process, its own address (past the proxy).</summary>
public sealed record ServiceReplica(string Service, string ResourceId, int ProcessId, Uri Url);

[CollectionDefinition(Name)]
public sealed class ReplicatedAppHostCollection : ICollectionFixture<ReplicatedAppHostFixture>
{
    public const string Name = "ReplicatedAppHost";
}
