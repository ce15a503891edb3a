using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthFlow.EndToEnd.Tests.Faults;

namespace HealthFlow.EndToEnd.Tests.Rehearsal;

/// <summary>A reference in a task definition's `Secrets`: which Secrets Manager secret, and which version stage of it.</summary>
/// <summary>A task's secret: which secret, which version stage, and, for a JSON secret, which of its keys.</summary>
public sealed record SecretReference(string SecretName, string VersionStage, string? JsonKey = null);

/// <summary>
/// How ECS runs a task's container, as its task definition declares it: the user, the port, the health check
/// (the command ECS runs inside the container, and how long a new task may take to pass it), the grace between
/// SIGTERM and SIGKILL, and the filesystem (read-only root, writable scratch mounts).
/// </summary>
public sealed record ContainerRuntime(
    string User,
    int ContainerPort,
    IReadOnlyList<string> HealthCheckCommand,
    TimeSpan HealthCheckStartPeriod,
    TimeSpan HealthCheckInterval,
    int HealthCheckRetries,
    TimeSpan StopTimeout,
    bool ReadonlyRootFilesystem,
    IReadOnlyList<string> ScratchPaths)
{
    /// <summary>How long ECS lets a new task fail its health check before it replaces it.</summary>
    public TimeSpan HealthyWithin => HealthCheckStartPeriod + HealthCheckInterval * HealthCheckRetries;
}

/// <summary>
/// One service's container in the synthesized template, as ECS would start it: its environment (values may
/// still be CloudFormation expressions), its secrets, the Service Connect names it serves and may call, and how
/// ECS runs the container.
/// </summary>
public sealed record TaskSettings(
    string Service,
    IReadOnlyDictionary<string, JsonNode> Environment,
    IReadOnlyDictionary<string, SecretReference> Secrets,
    IReadOnlyList<string> ServiceConnectNames,
    bool ServiceConnectClient,
    ContainerRuntime Runtime)
{
    /// <summary>The same task definition without one environment variable: what a forgotten setting looks like.</summary>
    public TaskSettings Without(string variable) =>
        Environment.ContainsKey(variable)
            ? this with { Environment = Environment.Where(e => e.Key != variable).ToDictionary() }
            : throw new ArgumentException($"{Service}'s task definition has no {variable}.", nameof(variable));
}

/// <summary>
/// The default stack as `cdk synth` makes it: the built CDK app runs as a separate process (as the cdk CLI runs it,
/// context in CDK_CONTEXT_JSON), so jsii's node process and its 66 MB unpack stay out of the test process.
/// </summary>
public static class SynthesizedTasks
{
    public static async Task<IReadOnlyDictionary<string, TaskSettings>> SynthesizeAsync(string repositoryRoot, string workDirectory, string region)
    {
        var outdir = Path.Combine(workDirectory, "cdk.out");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = repositoryRoot,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(BuiltProject.EntryAssembly(Path.Combine(repositoryRoot, "infra", "HealthFlow.Cdk"), "HealthFlow.Cdk"));
        start.Environment["TMPDIR"] = workDirectory;
        start.Environment["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20";
        start.Environment["CDK_OUTDIR"] = outdir;
        // The default deployment: HTTPS with a certificate, nothing else chosen.
        start.Environment["CDK_CONTEXT_JSON"] = new JsonObject
        {
            ["healthflow:region"] = region,
            ["healthflow:certificateArn"] = $"arn:aws:acm:{region}:111122223333:certificate/00000000-0000-4000-8000-000000000001",
        }.ToJsonString();

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the CDK app.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"cdk synth failed with {process.ExitCode}:\n{await output}\n{await errors}");
        }

        var template = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(outdir, "HealthFlow.template.json")))!["Resources"]!.AsObject();
        return Read(template);
    }

    private static Dictionary<string, TaskSettings> Read(JsonObject resources)
    {
        var secretNames = resources
            .Where(r => (string?)r.Value!["Type"] == "AWS::SecretsManager::Secret")
            .ToDictionary(r => r.Key, r => (string)r.Value!["Properties"]!["Name"]!);
        var services = resources
            .Where(r => (string?)r.Value!["Type"] == "AWS::ECS::Service")
            .ToDictionary(r => (string)r.Value!["Properties"]!["TaskDefinition"]!["Ref"]!, r => r.Value!["Properties"]!["ServiceConnectConfiguration"]);

        var tasks = new Dictionary<string, TaskSettings>();
        foreach (var (id, resource) in resources.Where(r => (string?)r.Value!["Type"] == "AWS::ECS::TaskDefinition"))
        {
            // The essential container is the service; the others are sidecars (the telemetry collector).
            var container = resource!["Properties"]!["ContainerDefinitions"]!.AsArray().Single(c => (bool?)c!["Essential"] != false)!;
            var name = (string)container["Name"]!;
            var serviceConnect = services.GetValueOrDefault(id);
            tasks[name] = new TaskSettings(
                name,
                (container["Environment"]?.AsArray() ?? []).ToDictionary(e => (string)e!["Name"]!, e => e!["Value"]!.DeepClone()),
                (container["Secrets"]?.AsArray() ?? []).ToDictionary(s => (string)s!["Name"]!, s => Secret(s!["ValueFrom"]!, secretNames)),
                [.. (serviceConnect?["Services"]?.AsArray() ?? []).SelectMany(s => s!["ClientAliases"]!.AsArray().Select(a => (string)a!["DnsName"]!))],
                (bool?)serviceConnect?["Enabled"] == true,
                Runtime(container));
        }

        return tasks;
    }

    private static ContainerRuntime Runtime(JsonNode container)
    {
        var healthCheck = container["HealthCheck"]!;
        // ["CMD", executable, arguments...]: ECS execs the rest inside the container, as `docker exec` does.
        var command = healthCheck["Command"]!.AsArray().Select(c => (string)c!).ToList();
        if (command is not ["CMD", .. var exec])
        {
            throw new NotSupportedException($"A health check command the rehearsal cannot run: {string.Join(' ', command)}");
        }

        return new ContainerRuntime(
            (string)container["User"]!,
            (int)container["PortMappings"]!.AsArray().Single()!["ContainerPort"]!,
            exec,
            TimeSpan.FromSeconds((int?)healthCheck["StartPeriod"] ?? 0),
            TimeSpan.FromSeconds((int?)healthCheck["Interval"] ?? 30),
            (int?)healthCheck["Retries"] ?? 3,
            // ECS's default when the task definition names none.
            TimeSpan.FromSeconds((int?)container["StopTimeout"] ?? 30),
            (bool?)container["ReadonlyRootFilesystem"] == true,
            [.. (container["MountPoints"]?.AsArray() ?? []).Where(m => (bool?)m!["ReadOnly"] != true).Select(m => (string)m!["ContainerPath"]!)]);
    }

    /// <summary>
    /// `{"Ref": secret}` is its AWSCURRENT value; `{"Fn::Join": ["", [{"Ref": secret}, ":KEY:STAGE:VERSION"]]}` is ECS's
    /// longer form, any part of it empty: a JSON key of the secret (notifier's SMTP username and password), a version stage.
    /// </summary>
    private static SecretReference Secret(JsonNode valueFrom, Dictionary<string, string> secretNames)
    {
        if (valueFrom["Ref"] is { } reference)
        {
            return new SecretReference(secretNames[(string)reference!], "AWSCURRENT");
        }

        var parts = valueFrom["Fn::Join"]?[1]?.AsArray();
        if (parts is [{ } arn, { } suffix] && arn["Ref"] is { } joined && ((string?)suffix)?.Split(':') is ["", var key, var stage, ""])
        {
            return new SecretReference(
                secretNames[(string)joined!],
                stage is { Length: > 0 } ? stage : "AWSCURRENT",
                key is { Length: > 0 } ? key : null);
        }

        throw new NotSupportedException($"A secret reference the rehearsal cannot map: {valueFrom.ToJsonString(new JsonSerializerOptions { WriteIndented = false })}");
    }
}
