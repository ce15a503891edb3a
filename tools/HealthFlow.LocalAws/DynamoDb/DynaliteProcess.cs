using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace HealthFlow.LocalAws.DynamoDb;

/// <summary>
/// Runs dynalite (npm) as a child process for the lifetime of LocalAws. dynalite is started through
/// dynalite-host.js, which exits as soon as its stdin closes, so it cannot outlive LocalAws even when
/// LocalAws is killed outright.
/// </summary>
internal sealed partial class DynaliteProcess(LocalAwsOptions options, IHostEnvironment environment, ILogger<DynaliteProcess> logger)
    : IHostedService, IAsyncDisposable
{
    private const string HostScript = "dynalite-host.js";
    private readonly TaskCompletionSource<Uri> _endpoint = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;
    private volatile bool _stopping;

    /// <summary>Completes with dynalite's base address once it listens.</summary>
    public Task<Uri> Endpoint => _endpoint.Task;

    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>The dynalite host process id while it runs (observable by tests).</summary>
    public int? ProcessId => _process?.Id;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await StartProcessAsync(cancellationToken);
        }
        catch (Exception error)
        {
            _endpoint.TrySetException(error);
            throw;
        }
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        var dynaliteDirectory = LocateDynalite();
        var start = new ProcessStartInfo(options.NodePath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dynaliteDirectory)!,
        };
        start.ArgumentList.Add(LocateHostScript());
        start.ArgumentList.Add(dynaliteDirectory);
        if (!string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            var dataDirectory = Path.GetFullPath(options.DataDirectory, environment.ContentRootPath);
            Directory.CreateDirectory(dataDirectory);
            start.ArgumentList.Add("--path");
            start.ArgumentList.Add(dataDirectory);
        }

        if (options.TableActivationDelay > TimeSpan.Zero)
        {
            start.ArgumentList.Add("--table-ms");
            start.ArgumentList.Add(((long)options.TableActivationDelay.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{options.NodePath}'.");
        _process = process;
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            if (!_stopping)
                LogUnexpectedExit(process.ExitCode);
            _endpoint.TrySetException(new InvalidOperationException("dynalite exited."));
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (!string.IsNullOrEmpty(line.Data))
                LogDynaliteError(line.Data);
        };
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.DynaliteStartTimeout);
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"dynalite did not start within {options.DynaliteStartTimeout}.");
        }

        if (line is null)
            throw new InvalidOperationException("dynalite exited during start-up; see the log for its error output.");
        int port = JsonDocument.Parse(line).RootElement.GetProperty("port").GetInt32();
        var endpoint = new Uri($"http://127.0.0.1:{port}/");
        _ = DrainAsync(process.StandardOutput);
        LogStarted(endpoint, options.DataDirectory ?? "memory");
        _endpoint.TrySetResult(endpoint);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        var process = _process;
        if (process is null || process.HasExited)
            return;

        // Closing stdin asks dynalite-host.js to exit; kill it if it does not.
        try
        {
            process.StandardInput.Close();
            using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            grace.CancelAfter(TimeSpan.FromSeconds(3));
            await process.WaitForExitAsync(grace.Token);
        }
        catch (Exception error) when (error is OperationCanceledException or IOException or InvalidOperationException)
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
    }

    // The container may dispose this twice (it is both a singleton and the hosted service).
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        Interlocked.Exchange(ref _process, null)?.Dispose();
    }

    private static async Task DrainAsync(StreamReader output)
    {
        try
        {
            while (await output.ReadLineAsync() is not null)
            {
            }
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException)
        {
            // The process ended.
        }
    }

    private string LocateDynalite()
    {
        foreach (var root in CandidateRoots())
        {
            foreach (var candidate in new[] { Path.Combine(root, "node_modules", "dynalite"), Path.Combine(root, "dynalite") })
            {
                if (File.Exists(Path.Combine(candidate, "package.json")))
                    return candidate;
            }
        }

        throw new InvalidOperationException(
            "dynalite is not installed. Run `npm ci` in tools/HealthFlow.LocalAws (building that project does it), " +
            "or set LocalAws:NodeModulesDirectory.");
    }

    private string LocateHostScript()
    {
        foreach (var root in new[] { AppContext.BaseDirectory, ProjectDirectory(), environment.ContentRootPath })
        {
            if (root is not null && File.Exists(Path.Combine(root, HostScript)))
                return Path.Combine(root, HostScript);
        }

        throw new InvalidOperationException($"{HostScript} was not found next to the application.");
    }

    // Where node_modules may be: configured; the LocalAws project (recorded at build time, which covers
    // `dotnet run` and in-process hosting from tests); the content root and app folder and their parents.
    private IEnumerable<string> CandidateRoots()
    {
        if (!string.IsNullOrWhiteSpace(options.NodeModulesDirectory))
            yield return Path.GetFullPath(options.NodeModulesDirectory, environment.ContentRootPath);
        if (ProjectDirectory() is { } project)
            yield return project;
        foreach (var start in new[] { environment.ContentRootPath, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
                yield return directory.FullName;
        }
    }

    private static string? ProjectDirectory() =>
        typeof(DynaliteProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "LocalAwsProjectDirectory")?.Value is { } directory && Directory.Exists(directory)
            ? directory
            : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "dynalite listening at {Endpoint} (data: {Data})")]
    private partial void LogStarted(Uri endpoint, string data);

    [LoggerMessage(Level = LogLevel.Warning, Message = "dynalite: {Line}")]
    private partial void LogDynaliteError(string line);

    [LoggerMessage(Level = LogLevel.Error, Message = "dynalite exited unexpectedly with code {ExitCode}")]
    private partial void LogUnexpectedExit(int exitCode);
}
