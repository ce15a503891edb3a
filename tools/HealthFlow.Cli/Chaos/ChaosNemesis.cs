using System.Diagnostics;
using System.Net.Http.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.Topology;

namespace HealthFlow.Cli.Chaos;

/// <summary>The faults the nemesis can inject (`--faults`).</summary>
public static class FaultKinds
{
    public const string Kill = "kill";
    public const string SlowEventBridge = "eventbridge";
    public const string LateWrites = "late-writes";
    public const string ShortVisibility = "visibility";

    public static readonly IReadOnlyList<string> All = [Kill, SlowEventBridge, LateWrites, ShortVisibility];
}

/// <summary>A running replica of one of this system's services.</summary>
public sealed record ReplicaProcess(string Service, int ProcessId);

/// <summary>
/// Injects faults at moments drawn from the seed, each logged with its time and healed before the next of its lane:
/// SIGKILL of a random replica of each service in turn (then waits for its replacement), a slow and failing PutEvents or
/// held DynamoDB writes through LocalAws's fault endpoint, and a short visibility timeout on a work queue so messages
/// are delivered again. <see cref="HealAsync"/> undoes whatever is still in force.
/// </summary>
public sealed class ChaosNemesis(ChaosSettings settings, IAmazonSQS sqs, ChaosHistory history, Action<string> say)
{
    /// <summary>The services the nemesis may kill. LocalAws is left alone: it is the cloud, not the system.</summary>
    public static readonly IReadOnlyList<string> KillableServices = ["auth-api", "command-api", "query-api", "alert-worker", "projections", "notifier"];

    private static readonly string[] LateWriteTables =
        [HealthFlowTopology.Tables.Observations.Name, HealthFlowTopology.Tables.Alerts.Name, HealthFlowTopology.Tables.Audit.Name, HealthFlowTopology.Tables.Events.Name];

    private readonly HttpClient _localAws = new() { BaseAddress = settings.AwsEndpoint, Timeout = TimeSpan.FromSeconds(10) };
    private readonly Lock _gate = new();
    private (string QueueUrl, string Original)? _shortened;
    private bool _faultsSet;

    private int _kills;

    /// <summary>Replicas killed and replaced so far.</summary>
    public int Kills => Volatile.Read(ref _kills);

    /// <summary>Two lanes side by side, as real outages overlap: replicas killed, and faults of the cloud around them.</summary>
    public Task RunAsync(CancellationToken stop)
    {
        var random = new Random(unchecked(settings.Seed * 31 + 7));
        var killing = settings.Faults.Contains(FaultKinds.Kill) ? KillLaneAsync(new Random(random.Next()), stop) : Task.CompletedTask;
        var cloud = settings.Faults.Where(f => f != FaultKinds.Kill).ToList();
        var faulting = cloud.Count > 0 ? CloudLaneAsync(cloud, new Random(random.Next()), stop) : Task.CompletedTask;
        return Task.WhenAll(killing, faulting);
    }

    private async Task KillLaneAsync(Random random, CancellationToken stop)
    {
        // Each service once per round, in an order drawn from the seed, as the cloud lane takes its kinds.
        var round = new Queue<string>();
        while (await PauseAsync(random, stop))
        {
            if (round.Count == 0)
            {
                var order = KillableServices.ToArray();
                random.Shuffle(order);
                round = new Queue<string>(order);
            }

            await KillAsync(round.Dequeue(), random);
        }
    }

    private async Task CloudLaneAsync(IReadOnlyList<string> kinds, Random random, CancellationToken stop)
    {
        // Each kind once per round, in an order drawn from the seed: a short run still meets every kind.
        var round = new Queue<string>();
        while (await PauseAsync(random, stop))
        {
            if (round.Count == 0)
            {
                var order = kinds.ToArray();
                random.Shuffle(order);
                round = new Queue<string>(order);
            }

            var kind = round.Dequeue();
            var hold = TimeSpan.FromSeconds(2 + random.NextDouble() * 6);
            try
            {
                switch (kind)
                {
                    case FaultKinds.SlowEventBridge:
                        var delay = random.Next(200, 2000);
                        var failures = Math.Round(random.NextDouble() * 0.5, 2);
                        await WithFaultsAsync(kind, "PutEvents", $"delay {delay} ms, failure rate {failures:P0}",
                            new { putEventsDelayMs = delay, putEventsFailureRate = failures }, hold, stop);
                        break;
                    case FaultKinds.LateWrites:
                        var table = LateWriteTables[random.Next(LateWriteTables.Length)];
                        var count = random.Next(1, 10);
                        var maxDelay = random.Next(500, 5000);
                        await WithFaultsAsync(kind, table, $"next {count} writes held up to {maxDelay} ms",
                            new { lateWriteTable = table, lateWriteCount = count, lateWriteMaxDelayMs = maxDelay }, hold, stop);
                        break;
                    case FaultKinds.ShortVisibility:
                        var queue = HealthFlowTopology.Queues.All[random.Next(HealthFlowTopology.Queues.All.Count)].Name;
                        await ShortVisibilityAsync(queue, random.Next(1, 4), hold, stop);
                        break;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or AmazonSQSException or TimeoutException or TaskCanceledException)
            {
                history.Record(new ChaosFault(kind, "-", DateTimeOffset.UtcNow, null, "could not inject: " + ex.Message));
            }
        }
    }

    /// <summary>A pause of about <see cref="ChaosSettings.FaultInterval"/>; false once the run stops.</summary>
    private async Task<bool> PauseAsync(Random random, CancellationToken stop)
    {
        var pause = TimeSpan.FromSeconds(settings.FaultInterval.TotalSeconds * (0.5 + random.NextDouble()));
        await Task.Delay(pause, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return !stop.IsCancellationRequested;
    }

    /// <summary>Lifts every fault still in force: the checker must judge a healed system.</summary>
    public async Task HealAsync()
    {
        bool faults;
        (string QueueUrl, string Original)? shortened;
        lock (_gate)
        {
            (faults, shortened) = (_faultsSet, _shortened);
        }

        if (faults)
        {
            (await _localAws.DeleteAsync("/_localaws/faults")).EnsureSuccessStatusCode();
        }

        if (shortened is { } queue)
        {
            await RestoreVisibilityAsync(queue.QueueUrl, queue.Original);
        }
    }

    /// <summary>
    /// This system's service processes: those whose environment points AWS_ENDPOINT_URL at this LocalAws and names a
    /// killable service, never another system's (another AppHost has another endpoint). A wrapper process (`dotnet run`)
    /// is skipped for the process it started, which is the one serving.
    /// </summary>
    public static IReadOnlyList<ReplicaProcess> FindReplicas(Uri awsEndpoint)
    {
        var found = FindProcesses(awsEndpoint);
        var parents = found.Values.Select(v => v.Parent).ToHashSet();
        return [.. found.Where(f => !parents.Contains(f.Key)).Select(f => new ReplicaProcess(f.Value.Service, f.Key)).OrderBy(r => r.Service).ThenBy(r => r.ProcessId)];
    }

    /// <summary>Every process of this system's services, by process id, a launcher that shares its child's settings included.</summary>
    private static Dictionary<int, (string Service, int Parent)> FindProcesses(Uri awsEndpoint)
    {
        var found = new Dictionary<int, (string Service, int Parent)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var environment = File.ReadAllText(Path.Combine(directory, "environ")).Split('\0')
                    .Select(e => e.Split('=', 2)).Where(e => e.Length == 2).GroupBy(e => e[0]).ToDictionary(g => g.Key, g => g.First()[1]);
                if (environment.TryGetValue("AWS_ENDPOINT_URL", out var endpoint)
                    && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && SameEndpoint(uri, awsEndpoint)
                    && environment.TryGetValue("OTEL_SERVICE_NAME", out var service) && KillableServices.Contains(service))
                {
                    // /proc/<pid>/stat: "pid (comm) state ppid ...": the command may hold spaces, so split after its ')'.
                    var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                    var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                    found[pid] = (service, parent);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                // A process that ended meanwhile, or one of another user: not ours to kill.
            }
        }

        return found;
    }

    // localhost and 127.0.0.1 are the same LocalAws on this machine; the port tells two systems apart.
    private static bool SameEndpoint(Uri a, Uri b) =>
        a.Port == b.Port && (string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) || (a.IsLoopback && b.IsLoopback));

    private async Task KillAsync(string service, Random random)
    {
        var ofService = FindReplicas(settings.AwsEndpoint).Where(r => r.Service == service).ToList();
        if (ofService.Count == 0)
        {
            history.Record(new ChaosFault(FaultKinds.Kill, service, DateTimeOffset.UtcNow, null, $"no replica of {service} found (AWS_ENDPOINT_URL {settings.AwsEndpoint})"));
            return;
        }

        var victim = ofService[random.Next(ofService.Count)];
        // The replacement is a process of the service that does not exist now (not even as a launcher, which the
        // replica list leaves out), once the service is back to as many replicas as it has now.
        var before = FindProcesses(settings.AwsEndpoint).Keys.ToHashSet();
        var killedAt = DateTimeOffset.UtcNow;
        say($"nemesis: SIGKILL {service} pid {victim.ProcessId}");
        try
        {
            using var process = Process.GetProcessById(victim.ProcessId);
            process.Kill();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // It exited between the look and the kill: it is replaced all the same, and the wait below sees to it.
        }

        var clock = Stopwatch.StartNew();
        ReplicaProcess? replacement = null;
        // Waited for even when the run stops meanwhile: the checker must judge a system with every replica back.
        while (clock.Elapsed < settings.ReplacementTimeout)
        {
            var now = FindReplicas(settings.AwsEndpoint).Where(r => r.Service == service).ToList();
            replacement = now.Count >= ofService.Count ? now.FirstOrDefault(r => !before.Contains(r.ProcessId)) : null;
            if (replacement is not null)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), CancellationToken.None);
        }

        if (replacement is not null)
        {
            Interlocked.Increment(ref _kills);
        }

        history.Record(new ChaosFault(FaultKinds.Kill, $"{service} pid {victim.ProcessId}", killedAt, replacement is null ? null : DateTimeOffset.UtcNow,
            replacement is null ? $"no replacement within {clock.Elapsed.TotalSeconds:0} s" : $"replaced by pid {replacement.ProcessId} after {clock.Elapsed.TotalSeconds:0.0} s"));
    }

    private async Task WithFaultsAsync(string kind, string target, string detail, object faults, TimeSpan hold, CancellationToken stop)
    {
        var started = DateTimeOffset.UtcNow;
        say($"nemesis: {kind} on {target}, {detail}, for {hold.TotalSeconds:0.0} s");
        lock (_gate)
        {
            _faultsSet = true;
        }

        (await _localAws.PutAsJsonAsync("/_localaws/faults", faults, CancellationToken.None)).EnsureSuccessStatusCode();
        await Task.Delay(hold, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        (await _localAws.DeleteAsync("/_localaws/faults", CancellationToken.None)).EnsureSuccessStatusCode();
        lock (_gate)
        {
            _faultsSet = false;
        }

        history.Record(new ChaosFault(kind, target, started, DateTimeOffset.UtcNow, detail));
    }

    private async Task ShortVisibilityAsync(string queue, int seconds, TimeSpan hold, CancellationToken stop)
    {
        var url = (await sqs.GetQueueUrlAsync(queue, CancellationToken.None)).QueueUrl;
        var original = (await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = ["VisibilityTimeout"] }, CancellationToken.None))
            .Attributes["VisibilityTimeout"];
        var started = DateTimeOffset.UtcNow;
        say($"nemesis: visibility timeout of {queue} {original} s → {seconds} s for {hold.TotalSeconds:0.0} s");
        lock (_gate)
        {
            _shortened = (url, original);
        }

        await sqs.SetQueueAttributesAsync(url, new Dictionary<string, string> { ["VisibilityTimeout"] = $"{seconds}" }, CancellationToken.None);
        await Task.Delay(hold, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await RestoreVisibilityAsync(url, original);
        history.Record(new ChaosFault(FaultKinds.ShortVisibility, queue, started, DateTimeOffset.UtcNow, $"visibility timeout {seconds} s (was {original} s)"));
    }

    private async Task RestoreVisibilityAsync(string url, string original)
    {
        await sqs.SetQueueAttributesAsync(url, new Dictionary<string, string> { ["VisibilityTimeout"] = original }, CancellationToken.None);
        lock (_gate)
        {
            _shortened = null;
        }
    }
}
