using System.Text.Json;
using System.Text.Json.Nodes;

namespace HealthFlow.Cdk.Tests;

/// <summary>A permission as the template grants it: one action on the resources one statement names.</summary>
public sealed record Permission(string Action, IReadOnlySet<string> ResourceLogicalIds, string Effect);

/// <summary>
/// One Allow of a policy, expanded to a single action on a single resource. The resource is named as in its ARN
/// (`table/events`, `table/events/index/outbox`, `alert-evaluation`, `event-bus/healthflow`, `key/{logical id}`).
/// </summary>
public sealed record GrantedStatement(string Action, string Resource, string Condition);

/// <summary>Read-only queries over the synthesized CloudFormation template.</summary>
public sealed class TemplateModel(JsonObject template)
{
    private JsonObject Resources => template["Resources"]!.AsObject();

    public IEnumerable<(string LogicalId, JsonObject Properties)> OfType(string type) =>
        Resources
            .Where(r => (string?)r.Value!["Type"] == type)
            .Select(r => (r.Key, r.Value!["Properties"]?.AsObject() ?? []));

    public JsonObject Resource(string logicalId) => Resources[logicalId]!.AsObject();

    public string TableId(string tableName) =>
        OfType("AWS::DynamoDB::Table").Single(t => (string?)t.Properties["TableName"] == tableName).LogicalId;

    public string QueueId(string queueName) =>
        OfType("AWS::SQS::Queue").Single(q => (string?)q.Properties["QueueName"] == queueName).LogicalId;

    public string BusId() => OfType("AWS::Events::EventBus").Single().LogicalId;

    /// <summary>auth-api's JWT signing key.</summary>
    public string SecretId() => SecretId(HealthFlowStack.JwtSigningKeySecretName);

    public string SecretId(string secretName) =>
        OfType("AWS::SecretsManager::Secret").Single(s => (string?)s.Properties["Name"] == secretName).LogicalId;

    /// <summary>One of the stack's customer-managed keys, by its construct id (`DataKey`, `MessagingKey`, `SecretsKey`, `LogsKey`).</summary>
    public string KeyId(string constructId) => OfType("AWS::KMS::Key").Single(k => k.LogicalId.StartsWith(constructId, StringComparison.Ordinal)).LogicalId;

    /// <summary>The Lambda function the secret's rotation schedule invokes.</summary>
    public string RotationFunctionId() =>
        GetAttTarget(OfType("AWS::SecretsManager::RotationSchedule").Single().Properties["RotationLambdaARN"]!);

    public string RotationFunctionRoleId() => GetAttTarget(Resource(RotationFunctionId())["Properties"]!["Role"]!);

    /// <summary>The container definition named after the service, and the task definition holding it.</summary>
    public (string TaskDefinitionId, JsonObject Container) Container(string service)
    {
        var (id, properties) = OfType("AWS::ECS::TaskDefinition")
            .Single(t => t.Properties["ContainerDefinitions"]!.AsArray().Any(c => (string?)c!["Name"] == service));
        return (id, properties["ContainerDefinitions"]!.AsArray().Single(c => (string?)c!["Name"] == service)!.AsObject());
    }

    public string TaskRoleId(string service) => GetAttTarget(Resource(Container(service).TaskDefinitionId)["Properties"]!["TaskRoleArn"]!);

    public string ExecutionRoleId(string service) => GetAttTarget(Resource(Container(service).TaskDefinitionId)["Properties"]!["ExecutionRoleArn"]!);

    public string ServiceId(string service)
    {
        var taskDefinitionId = Container(service).TaskDefinitionId;
        return OfType("AWS::ECS::Service").Single(s => (string?)s.Properties["TaskDefinition"]!["Ref"] == taskDefinitionId).LogicalId;
    }

    /// <summary>Every action granted to a role by the IAM policies attached to it.</summary>
    public IReadOnlyList<Permission> PermissionsOf(string roleLogicalId) =>
        [.. OfType("AWS::IAM::Policy")
            .Where(p => p.Properties["Roles"]!.AsArray().Any(r => (string?)r!["Ref"] == roleLogicalId))
            .SelectMany(p => p.Properties["PolicyDocument"]!["Statement"]!.AsArray())
            .SelectMany(statement => Strings(statement!["Action"]!).Select(action => new Permission(
                action,
                ReferencedLogicalIds(statement["Resource"]!),
                (string)statement["Effect"]!)))];

    /// <summary>Every Allow attached to a role, one action on one resource each, however CDK merged the statements.</summary>
    public IReadOnlySet<GrantedStatement> StatementsOf(string roleLogicalId) =>
        OfType("AWS::IAM::Policy")
            .Where(p => p.Properties["Roles"]!.AsArray().Any(r => (string?)r!["Ref"] == roleLogicalId))
            .SelectMany(p => p.Properties["PolicyDocument"]!["Statement"]!.AsArray())
            .Where(statement => (string?)statement!["Effect"] == "Allow")
            .SelectMany(statement =>
                from action in Strings(statement!["Action"]!)
                from resource in statement["Resource"] is JsonArray resources ? resources.ToArray() : [statement["Resource"]]
                select new GrantedStatement(action, DescribeResource(resource!), CanonicalJson(statement["Condition"])))
            .ToHashSet();

    /// <summary>A resource reference as its ARN's resource part; a `Fn::Join` keeps its literal suffix (an index).</summary>
    public string DescribeResource(JsonNode resource)
    {
        if (resource is JsonObject obj && obj["Fn::Join"] is JsonArray join)
        {
            return string.Concat(join[1]!.AsArray().Select(part => part is JsonValue literal ? (string)literal! : DescribeResource(part!)));
        }

        if (resource is JsonValue value)
        {
            return (string)value!;
        }

        var id = GetAttTarget(resource);
        var properties = Resource(id)["Properties"]!;
        return (string?)Resource(id)["Type"] switch
        {
            "AWS::DynamoDB::Table" => $"table/{properties["TableName"]}",
            "AWS::SQS::Queue" => (string)properties["QueueName"]!,
            "AWS::Events::EventBus" => $"event-bus/{properties["Name"]}",
            _ => $"key/{id}",
        };
    }

    /// <summary>JSON with object keys sorted, so equal conditions compare equal as strings.</summary>
    public static string CanonicalJson(JsonNode? node) => node switch
    {
        null => "",
        JsonObject obj => "{" + string.Join(",", obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\":{CanonicalJson(p.Value)}")) + "}",
        JsonArray array => "[" + string.Join(",", array.Select(CanonicalJson)) + "]",
        _ => node.ToJsonString(),
    };

    /// <summary>The actions a role may perform on one resource (by logical id), wildcards included.</summary>
    public HashSet<string> ActionsOn(string roleLogicalId, string resourceLogicalId) =>
        PermissionsOf(roleLogicalId)
            .Where(p => p.Effect == "Allow" && p.ResourceLogicalIds.Contains(resourceLogicalId))
            .Select(p => p.Action)
            .ToHashSet();

    public static IEnumerable<string> Strings(JsonNode node) =>
        node is JsonArray array ? array.Select(n => (string)n!) : [(string)node!];

    /// <summary>Every logical id a value refers to through Ref or Fn::GetAtt, however deeply nested.</summary>
    public static IReadOnlySet<string> ReferencedLogicalIds(JsonNode? node)
    {
        var ids = new HashSet<string>();
        Collect(node);
        return ids;

        void Collect(JsonNode? value)
        {
            switch (value)
            {
                case JsonObject obj:
                    foreach (var (key, child) in obj)
                    {
                        if (key == "Ref" && child is JsonValue)
                        {
                            ids.Add((string)child!);
                        }
                        else if (key == "Fn::GetAtt" && child is JsonArray getAtt)
                        {
                            ids.Add((string)getAtt[0]!);
                        }
                        else
                        {
                            Collect(child);
                        }
                    }

                    break;
                case JsonArray array:
                    foreach (var child in array)
                    {
                        Collect(child);
                    }

                    break;
            }
        }
    }

    public static string GetAttTarget(JsonNode node) => (string)node["Fn::GetAtt"]![0]!;

    public static bool JsonEquals(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);

    public static JsonNode ParseJson(string json) => JsonNode.Parse(json, documentOptions: new JsonDocumentOptions())!;
}
