using System.Text.Json.Nodes;

namespace HealthFlow.EndToEnd.Tests.Rehearsal;

/// <summary>
/// What ECS and the rest of AWS give a task, mapped onto this machine. Each service gets its task definition's
/// environment and nothing else, except where the platform itself supplies something:
/// <list type="bullet">
/// <item>ASPNETCORE_HTTP_PORTS: on Fargate every task has its own network interface, so all listen on 8080; here they
/// share one host, so each gets a free port. The only value that is rewritten.</item>
/// <item>CloudFormation expressions: `{"Ref": "AWS::Region"}` becomes the local region; any other expression fails the rehearsal.</item>
/// <item>Secrets (ECS reads Secrets Manager at task start): <see cref="LocalSecrets"/>.</item>
/// <item>The task role's credentials (ECS's credential endpoint): the service's name as its access key id, which
/// LocalAws maps to the service's declared access (HealthFlowAccess), exactly as the AppHost does.</item>
/// <item>The AWS endpoint: AWS_ENDPOINT_URL, the rehearsal's own LocalAws.</item>
/// <item>Service Connect (its Envoy proxy resolves `auth-api` inside the task): a service-discovery entry
/// (services__auth-api__http__0) for each name another Service Connect service publishes.</item>
/// </list>
/// </summary>
public sealed class LocalPlatform(Uri awsEndpoint, string region, LocalSecrets secrets)
{
    public const string PortVariable = "ASPNETCORE_HTTP_PORTS";

    /// <summary>The secret LocalAws checks every service's signature against (LocalAwsCredentials.ServiceSecretAccessKey).</summary>
    private const string SecretAccessKey = "local";

    public string Region { get; } = region;

    /// <summary>The environment a task's container starts with here.</summary>
    /// <param name="task">The task definition's settings.</param>
    /// <param name="port">The port it listens on here.</param>
    /// <param name="serviceConnect">Where each Service Connect name of the other tasks answers here.</param>
    public Dictionary<string, string> Environment(TaskSettings task, int port, IReadOnlyDictionary<string, Uri> serviceConnect)
    {
        var environment = task.Environment.ToDictionary(e => e.Key, e => e.Key == PortVariable ? $"{port}" : Resolve(task.Service, e.Key, e.Value));
        if (!environment.ContainsKey(PortVariable))
        {
            throw new InvalidOperationException($"{task.Service}'s task definition sets no {PortVariable}: the container would not listen where ECS checks its health.");
        }

        foreach (var (variable, secret) in task.Secrets)
        {
            environment[variable] = secrets.Value(secret);
        }

        environment["AWS_ENDPOINT_URL"] = awsEndpoint.GetLeftPart(UriPartial.Authority);
        environment["AWS_ACCESS_KEY_ID"] = task.Service;
        environment["AWS_SECRET_ACCESS_KEY"] = SecretAccessKey;
        if (task.ServiceConnectClient)
        {
            foreach (var (name, url) in serviceConnect)
            {
                environment[$"services__{name}__http__0"] = url.ToString();
            }
        }

        return environment;
    }

    private string Resolve(string service, string variable, JsonNode value) => value switch
    {
        JsonValue text when text.TryGetValue<string>(out var literal) => literal,
        JsonObject { Count: 1 } reference when (string?)reference["Ref"] == "AWS::Region" => Region,
        // The load balancer's DNS name (notifier's links into the clinician app): here the gateway stands in for it, on this host.
        JsonObject { Count: 1 } attribute when attribute["Fn::GetAtt"] is JsonArray { Count: 2 } target && (string?)target[1] == "DNSName" => "localhost",
        // e.g. notifier's SMTP host, "email-smtp." + the region + ".amazonaws.com": each part resolved as above.
        JsonObject { Count: 1 } join when join["Fn::Join"] is JsonArray { Count: 2 } arguments && arguments[1] is JsonArray parts =>
            string.Join(arguments[0]!.GetValue<string>(), parts.Select(part => Resolve(service, variable, part!))),
        _ => throw new NotSupportedException($"{service}'s {variable} is a CloudFormation expression the rehearsal cannot map: {value.ToJsonString()}"),
    };
}
