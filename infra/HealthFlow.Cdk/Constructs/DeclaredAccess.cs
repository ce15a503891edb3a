using Amazon.CDK.AWS.IAM;
using HealthFlow.Topology;

namespace HealthFlow.Cdk.Constructs;

/// <summary>
/// Writes a service's declared access (HealthFlowAccess) into its task role: one statement per grant,
/// conditions included, plus the use of the customer-managed keys those resources are encrypted with.
/// Nothing else grants a task role DynamoDB, SQS or EventBridge actions.
/// </summary>
public static class DeclaredAccess
{
    public static void Grant(ServiceAccess access, IRole role, DataTables tables, EventRouting routing)
    {
        foreach (var grant in access.Grants)
        {
            role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
            {
                Effect = Effect.ALLOW,
                Actions = [.. grant.Actions],
                Resources = [Arn(grant.Resource, tables, routing)],
                Conditions = Conditions(grant),
            }));
        }

        // Tables share the data key, queues the messaging key. Readers only decrypt; writers also encrypt.
        var tableGrants = access.Grants.Where(g => g.Resource.Kind is AccessResourceKind.Table or AccessResourceKind.Index).ToArray();
        if (tableGrants.Length > 0)
        {
            var key = tables[HealthFlowTopology.Tables.Events].EncryptionKey!;
            if (tableGrants.SelectMany(g => g.Actions).Any(IsWrite))
                key.GrantEncryptDecrypt(role);
            else
                key.GrantDecrypt(role);
        }

        var queueActions = access.Grants.Where(g => g.Resource.Kind == AccessResourceKind.Queue).SelectMany(g => g.Actions).ToHashSet();
        if (queueActions.Contains("sqs:SendMessage"))
        {
            // A sender to an encrypted queue generates the data key (alert-worker's escalation deadlines).
            routing.EncryptionKey.GrantEncryptDecrypt(role);
        }
        else if (queueActions.Contains("sqs:ReceiveMessage"))
        {
            routing.EncryptionKey.GrantDecrypt(role);
        }
    }

    public static bool IsWrite(string action) => action is "dynamodb:PutItem" or "dynamodb:UpdateItem" or "dynamodb:DeleteItem" or "dynamodb:BatchWriteItem";

    private static string Arn(AccessResource resource, DataTables tables, EventRouting routing) => resource.Kind switch
    {
        AccessResourceKind.Table => tables[resource.Name].TableArn,
        AccessResourceKind.Index => $"{tables[resource.Name].TableArn}/index/{resource.Index}",
        AccessResourceKind.Queue => routing.QueueNamed(resource.Name).QueueArn,
        AccessResourceKind.Bus => resource.Name == HealthFlowTopology.EventBusName
            ? routing.Bus.EventBusArn
            : throw new InvalidOperationException($"The stack has no bus {resource.Name}."),
        _ => throw new InvalidOperationException(resource.Kind.ToString()),
    };

    /// <summary>The IAM form of a grant's conditions (AccessGrant documents their meaning).</summary>
    public static Dictionary<string, object>? Conditions(AccessGrant grant)
    {
        var conditions = new Dictionary<string, object>();
        if (grant.LeadingKeyPrefixes is { } prefixes)
        {
            conditions["ForAllValues:StringLike"] = new Dictionary<string, object>
            {
                [AccessGrant.LeadingKeysCondition] = prefixes.Select(p => p + "*").ToArray(),
            };
            // ForAllValues holds for a request that names no partition key (a Scan): require one.
            conditions["Null"] = new Dictionary<string, object> { [AccessGrant.LeadingKeysCondition] = "false" };
        }

        if (grant.Attributes is { } attributes)
        {
            conditions["ForAllValues:StringEquals"] = new Dictionary<string, object>
            {
                [AccessGrant.AttributesCondition] = attributes.ToArray(),
            };
        }

        if (grant.ReturnValues is { } returnValues)
        {
            // A write that does not state ReturnValues returns nothing; IfExists lets it through however IAM fills the key.
            conditions["StringEqualsIfExists"] = new Dictionary<string, object>
            {
                [AccessGrant.ReturnValuesCondition] = returnValues.ToArray(),
            };
        }

        if (grant.Select is { } select)
        {
            // No IfExists: a Query must state its Select, or an index projection could hand back more than Attributes allows.
            conditions["StringEquals"] = new Dictionary<string, object>
            {
                [AccessGrant.SelectCondition] = select.ToArray(),
            };
        }

        return conditions.Count == 0 ? null : conditions;
    }
}
