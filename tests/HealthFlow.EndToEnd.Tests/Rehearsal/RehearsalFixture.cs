using System.Diagnostics;
using Aspire.Hosting;
using HealthFlow.EndToEnd.Tests.Faults;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace HealthFlow.EndToEnd.Tests.Rehearsal;

/// <summary>
/// What every deploy rehearsal shares, prepared once: the synthesized default template's task definitions, every
/// .NET service published as services/Dockerfile publishes it, and a LocalAws of the rehearsal's own (access
/// enforced, topology provisioned), so nothing of the AppHost's system can do a rehearsed service's work.
/// </summary>
public sealed class RehearsalFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    public const string Region = "us-east-1";

    /// <summary>The .NET services, by their task definitions' container names (the AppHost's resource names), and the gateway.</summary>
    public static readonly IReadOnlyDictionary<string, IProjectMetadata> Projects = new Dictionary<string, IProjectMetadata>
    {
        ["auth-api"] = new global::Projects.HealthFlow_Auth_Api(),
        ["command-api"] = new global::Projects.HealthFlow_Command_Api(),
        ["query-api"] = new global::Projects.HealthFlow_Query_Api(),
        ["alert-worker"] = new global::Projects.HealthFlow_AlertWorker(),
        ["projections"] = new global::Projects.HealthFlow_Projections(),
        ["notifier"] = new global::Projects.HealthFlow_Notifier(),
        [Gateway] = new global::Projects.HealthFlow_Gateway(),
    };

    /// <summary>The ALB's local stand-in; not a task: it gets only its port and where the services answer.</summary>
    public const string Gateway = "gateway";

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("healthflow-rehearsal-").FullName;
    private ServiceProcess? _localAws;

    public IReadOnlyDictionary<string, TaskSettings> Tasks { get; private set; } = null!;

    public LocalPlatform Platform { get; private set; } = null!;

    public Uri AwsEndpoint => _localAws!.Url;

    /// <summary>How long each preparation step took (they run side by side), for the test output.</summary>
    public IReadOnlyDictionary<string, TimeSpan> PreparationTimes => _preparationTimes;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TimeSpan> _preparationTimes = new();

    /// <summary>The entry assembly of a service's publish output.</summary>
    public string PublishedAssembly(string service)
    {
        var project = Path.GetFileNameWithoutExtension(Projects[service].ProjectPath);
        return Path.Combine(_workDirectory, "publish", project, project + ".dll");
    }

    public async Task InitializeAsync()
    {
        var repositoryRoot = Path.GetDirectoryName(global::Projects.HealthFlow_AppHost.ProjectPath)!;
        var synthesis = Timed("cdk synth", () => SynthesizedTasks.SynthesizeAsync(repositoryRoot, _workDirectory, Region));
        var publish = Timed("dotnet publish", () => PublishAsync(repositoryRoot));
        var localAws = Timed("LocalAws start and provisioning", StartLocalAwsAsync);
        await Task.WhenAll(synthesis, publish, localAws);
        Tasks = await synthesis;
        _localAws = await localAws;
        Platform = new LocalPlatform(_localAws.Url, Region, new LocalSecrets());
    }

    private async Task<T> Timed<T>(string what, Func<Task<T>> step)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await step();
        _preparationTimes[what] = stopwatch.Elapsed;
        diagnostics.OnMessage(new DiagnosticMessage($"Deploy rehearsal: {what} took {stopwatch.Elapsed.TotalSeconds:F1} s"));
        return result;
    }

    private async Task<bool> PublishAsync(string repositoryRoot)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = repositoryRoot,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
                 {
                     "msbuild", Path.Combine(repositoryRoot, "tests", "HealthFlow.EndToEnd.Tests", "Rehearsal", "publish.proj"), "-restore", "-t:Publish", "-nologo", "-v:q",
                     "-p:Services=" + string.Join('|', Projects.Values.Select(p => p.ProjectPath)),
                     "-p:PublishRoot=" + Path.Combine(_workDirectory, "publish"),
                 })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet publish.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? true : throw new InvalidOperationException($"dotnet publish failed with {process.ExitCode}:\n{await output}\n{await errors}");
    }

    /// <summary>A LocalAws of its own, access enforced, the topology provisioned (the container tests start one too).</summary>
    internal static async Task<ServiceProcess> StartLocalAwsAsync()
    {
        var localAws = await ServiceProcess.StartLocalAwsAsync();
        try
        {
            var provisioned = await new HealthFlowCli(localAws.Url).RunAsync("provision");
            Assert.True(provisioned.ExitCode == 0, $"provision: {provisioned}");
            return localAws;
        }
        catch
        {
            await localAws.DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
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
public sealed class RehearsalCollection : ICollectionFixture<RehearsalFixture>
{
    public const string Name = "Deploy rehearsal";
}
