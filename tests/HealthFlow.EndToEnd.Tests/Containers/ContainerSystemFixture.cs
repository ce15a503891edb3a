using System.Diagnostics;
using HealthFlow.EndToEnd.Tests.Faults;
using HealthFlow.EndToEnd.Tests.Rehearsal;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace HealthFlow.EndToEnd.Tests.Containers;

/// <summary>
/// The system with every task from its image: the synthesized default template's task definitions, a LocalAws of
/// its own (access enforced, topology provisioned), each .NET service and the web apps as a container started as its
/// task definition says (<see cref="ServiceContainer"/>, <see cref="LocalPlatform"/>), and the gateway in front of
/// the APIs as the ALB's stand-in, from the test build as in the deploy rehearsal.
/// </summary>
public sealed class ContainerSystemFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    /// <summary>The task that serves the web apps: nginx, no AWS.</summary>
    public const string WebTask = "web";

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("healthflow-containers-").FullName;
    private readonly List<ServiceContainer> _containers = [];
    private ServiceProcess? _localAws;
    private ServiceProcess? _gateway;

    public IReadOnlyDictionary<string, TaskSettings> Tasks { get; private set; } = null!;

    public LocalPlatform Platform { get; private set; } = null!;

    public IReadOnlyList<ServiceContainer> Containers => _containers;

    public Uri GatewayUrl => _gateway!.Url;

    /// <summary>The .NET services' task definitions: every task but the web apps'.</summary>
    public IEnumerable<TaskSettings> DotnetTasks => Tasks.Values.Where(t => t.Service != WebTask).OrderBy(t => t.Service);

    public async Task InitializeAsync()
    {
        if (ContainerEngine.UnavailableReason is { } reason)
        {
            // The tests are skipped (or, where containers are required, fail with this reason themselves).
            diagnostics.OnMessage(new DiagnosticMessage($"Container tests: {reason}"));
            return;
        }

        // No reaper image can be pulled without a registry; this fixture removes every container it starts.
        Environment.SetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED", "true");
        var repositoryRoot = Path.GetDirectoryName(global::Projects.HealthFlow_AppHost.ProjectPath)!;
        var synthesis = Timed("cdk synth", () => SynthesizedTasks.SynthesizeAsync(repositoryRoot, _workDirectory, RehearsalFixture.Region));
        var localAws = Timed("LocalAws start and provisioning", RehearsalFixture.StartLocalAwsAsync);
        await Task.WhenAll(synthesis, localAws);
        Tasks = await synthesis;
        _localAws = await localAws;
        Platform = new LocalPlatform(_localAws.Url, RehearsalFixture.Region, new LocalSecrets());

        await Timed("the service containers healthy", async () =>
        {
            _containers.AddRange(await StartAllAsync(DotnetTasks.ToList()));
            _containers.Add(await StartWebAsync());
            return true;
        });

        var gatewayPort = ServiceProcess.FreePort();
        var gatewayEnvironment = _containers.Where(c => c.Service != WebTask).ToDictionary(c => $"services__{c.Service}__http__0", c => c.Url.ToString());
        gatewayEnvironment[LocalPlatform.PortVariable] = $"{gatewayPort}";
        _gateway = await ServiceProcess.StartPublishedAsync(RehearsalFixture.Gateway,
            BuiltProject.EntryAssembly(new global::Projects.HealthFlow_Gateway(), "HealthFlow.Gateway"), gatewayPort, gatewayEnvironment);
    }

    /// <summary>Starts each task's container side by side, every port chosen first so each knows where its Service Connect peers answer.</summary>
    public async Task<IReadOnlyList<ServiceContainer>> StartAllAsync(IReadOnlyList<TaskSettings> tasks)
    {
        var ports = tasks.ToDictionary(t => t.Service, _ => ServiceProcess.FreePort());
        var serviceConnect = tasks
            .SelectMany(t => t.ServiceConnectNames.Select(name => (name, url: new Uri($"http://127.0.0.1:{ports[t.Service]}"))))
            .ToDictionary(s => s.name, s => s.url);
        var starts = tasks.Select(t => ServiceContainer.StartOnHostNetworkAsync(t, ports[t.Service], ServiceConnect(t, Platform.Environment(t, ports[t.Service], serviceConnect), serviceConnect))).ToList();
        try
        {
            return await Task.WhenAll(starts);
        }
        catch
        {
            foreach (var started in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }

            var reasons = starts.Where(s => s.IsFaulted).Select(s => s.Exception!.InnerException!.Message);
            throw new ServiceFailedException("The service containers failed to start:\n" + string.Join("\n\n", reasons));
        }
    }

    /// <summary>
    /// Service Connect's names, mapped: on ECS a task reaches `http://auth-api:8080` through its Envoy proxy. In a
    /// container here the name resolves to nothing (the services__ discovery entries did not resolve it in the
    /// container either), and the peer listens on a port of its own, so a setting that names a peer's Service Connect
    /// address gets the peer's address here instead, as the port itself is rewritten.
    /// </summary>
    private static Dictionary<string, string> ServiceConnect(TaskSettings task, Dictionary<string, string> environment, IReadOnlyDictionary<string, Uri> serviceConnect)
    {
        foreach (var (variable, value) in environment.ToList())
        {
            foreach (var (name, url) in serviceConnect)
            {
                var declared = $"http://{name}:{task.Runtime.ContainerPort}";
                if (value.StartsWith(declared, StringComparison.Ordinal))
                {
                    environment[variable] = url.GetLeftPart(UriPartial.Authority) + value[declared.Length..];
                }
            }
        }

        return environment;
    }

    /// <summary>The web apps' container: nginx needs no AWS, so it gets its task definition's environment alone.</summary>
    public Task<ServiceContainer> StartWebAsync() =>
        ServiceContainer.StartOnOwnNetworkAsync(Tasks[WebTask], Tasks[WebTask].Environment.ToDictionary(e => e.Key, e => e.Value.ToString()));

    private async Task<T> Timed<T>(string what, Func<Task<T>> step)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await step();
        diagnostics.OnMessage(new DiagnosticMessage($"Container tests: {what} took {stopwatch.Elapsed.TotalSeconds:F1} s"));
        return result;
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        foreach (var container in _containers)
        {
            await container.DisposeAsync();
        }

        if (_localAws is not null)
        {
            await _localAws.DisposeAsync();
        }

        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A process may still hold a file for a moment; the OS temp cleaner gets the rest.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ContainerSystemCollection : ICollectionFixture<ContainerSystemFixture>
{
    public const string Name = "Service containers";
}
