using HealthFlow.EndToEnd.Tests.Faults;

namespace HealthFlow.EndToEnd.Tests.Rehearsal;

/// <summary>
/// The .NET services started from their publish output, each with its task definition's settings mapped onto this
/// machine (<see cref="LocalPlatform"/>), and the gateway in front of them as the ALB. Starting fails, with each
/// failed service's reason and last output, when any service exits or never becomes healthy.
/// </summary>
public sealed class DeployRehearsal : IAsyncDisposable
{
    private readonly IReadOnlyList<ServiceProcess> _services;

    private DeployRehearsal(IReadOnlyList<ServiceProcess> services, Uri gatewayUrl)
    {
        _services = services;
        GatewayUrl = gatewayUrl;
    }

    public Uri GatewayUrl { get; }

    public static async Task<DeployRehearsal> StartAsync(RehearsalFixture fixture, IReadOnlyDictionary<string, TaskSettings> tasks)
    {
        var rehearsed = tasks.Values.Where(t => RehearsalFixture.Projects.ContainsKey(t.Service)).ToList();
        // Every port is chosen before anything starts, so each task knows where its Service Connect peers answer.
        var ports = rehearsed.ToDictionary(t => t.Service, _ => ServiceProcess.FreePort());
        var serviceConnect = rehearsed
            .SelectMany(t => t.ServiceConnectNames.Select(name => (name, url: new Uri($"http://127.0.0.1:{ports[t.Service]}"))))
            .ToDictionary(s => s.name, s => s.url);

        var services = await StartAllAsync(rehearsed.Select(task => (task.Service, (Func<Task<ServiceProcess>>)(() =>
            ServiceProcess.StartPublishedAsync(task.Service, fixture.PublishedAssembly(task.Service), ports[task.Service],
                fixture.Platform.Environment(task, ports[task.Service], serviceConnect))))));

        // The gateway is the ALB's stand-in: it learns where each service answers, as the ALB's target groups do.
        var gatewayPort = ServiceProcess.FreePort();
        var gatewayEnvironment = services.ToDictionary(s => $"services__{s.Name}__http__0", s => s.Url.ToString());
        gatewayEnvironment[LocalPlatform.PortVariable] = $"{gatewayPort}";
        try
        {
            var gateway = await ServiceProcess.StartPublishedAsync(RehearsalFixture.Gateway, fixture.PublishedAssembly(RehearsalFixture.Gateway), gatewayPort, gatewayEnvironment);
            return new DeployRehearsal([.. services, gateway], gateway.Url);
        }
        catch
        {
            await StopAsync(services);
            throw;
        }
    }

    /// <summary>
    /// An operator's one-off run of a task with an override (`aws ecs run-task --overrides`): here, auth-api with
    /// Auth__SeedDemoClinician=true, since a deployment has no other way to create a clinician yet.
    /// </summary>
    public static async Task RunOneOffAsync(RehearsalFixture fixture, TaskSettings task, IReadOnlyDictionary<string, string> overrides, Func<Uri, Task<bool>> done)
    {
        var port = ServiceProcess.FreePort();
        var environment = fixture.Platform.Environment(task, port, new Dictionary<string, Uri>());
        foreach (var (variable, value) in overrides)
        {
            environment[variable] = value;
        }

        await using var oneOff = await ServiceProcess.StartPublishedAsync(task.Service + "-one-off", fixture.PublishedAssembly(task.Service), port, environment);
        await Eventually.UntilAsync(() => done(oneOff.Url), $"the one-off {task.Service} to finish", TimeSpan.FromSeconds(60));
    }

    private static async Task<List<ServiceProcess>> StartAllAsync(IEnumerable<(string Service, Func<Task<ServiceProcess>> Start)> starts)
    {
        var started = starts.Select(s => (s.Service, Task: s.Start())).ToList();
        try
        {
            await Task.WhenAll(started.Select(s => s.Task));
        }
        catch
        {
            await StopAsync(started.Where(s => s.Task.IsCompletedSuccessfully).Select(s => s.Task.Result));
            var reasons = started.Where(s => s.Task.IsFaulted).Select(s => s.Task.Exception!.InnerException!.Message);
            throw new ServiceFailedException("The deploy rehearsal failed to start:\n" + string.Join("\n\n", reasons));
        }

        return [.. started.Select(s => s.Task.Result)];
    }

    private static async Task StopAsync(IEnumerable<ServiceProcess> services)
    {
        foreach (var service in services)
        {
            await service.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync(_services));
}
