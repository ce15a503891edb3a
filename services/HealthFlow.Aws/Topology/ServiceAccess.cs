namespace HealthFlow.Aws.Topology;

// What one service may do on AWS, as IAM statements: the CDK generates each task role's policy
// from this, and LocalAws enforces it locally. Evaluation (Allows) lives here so both agree.

public enum AccessResourceKind { Table, Index, Queue, Bus }

/// <summary>A table, one index of a table, a queue or an event bus, by its topology name.</summary>
public sealed record AccessResource(AccessResourceKind Kind, string Name, string? Index = null)
{
    public static AccessResource Table(TableDefinition table) => new(AccessResourceKind.Table, table.Name);

    public static AccessResource IndexOf(TableDefinition table, string index) =>
        table.Indexes.Any(i => i.Name == index)
            ? new(AccessResourceKind.Index, table.Name, index)
            : throw new ArgumentException($"Table {table.Name} has no index {index}.", nameof(index));

    public static AccessResource Queue(string name) => new(AccessResourceKind.Queue, name);

    public static AccessResource Bus(string name) => new(AccessResourceKind.Bus, name);

    /// <summary>The resource part of its ARN: `table/events`, `table/events/index/outbox`, `alert-evaluation`, `event-bus/healthflow`.</summary>
    public string ArnResource => Kind switch
    {
        AccessResourceKind.Table => $"table/{Name}",
        AccessResourceKind.Index => $"table/{Name}/index/{Index}",
        AccessResourceKind.Queue => Name,
        AccessResourceKind.Bus => $"event-bus/{Name}",
        _ => throw new InvalidOperationException(Kind.ToString()),
    };

    public string ArnService => Kind switch
    {
        AccessResourceKind.Table or AccessResourceKind.Index => "dynamodb",
        AccessResourceKind.Queue => "sqs",
        _ => "events",
    };

    public string Arn(string region, string account) => $"arn:aws:{ArnService}:{region}:{account}:{ArnResource}";

    public override string ToString() => ArnResource;
}

/// <summary>
/// One IAM Allow statement: these actions on one resource. <paramref name="LeadingKeyPrefixes"/> becomes
/// `ForAllValues:StringLike dynamodb:LeadingKeys [prefix*]` (the partition keys a request touches);
/// <paramref name="Attributes"/> becomes `ForAllValues:StringEquals dynamodb:Attributes` (every top-level
/// attribute the request names, the key attributes included).
/// </summary>
public sealed record AccessGrant(
    AccessResource Resource,
    IReadOnlyList<string> Actions,
    IReadOnlyList<string>? LeadingKeyPrefixes = null,
    IReadOnlyList<string>? Attributes = null)
{
    public const string LeadingKeysCondition = "dynamodb:LeadingKeys";
    public const string AttributesCondition = "dynamodb:Attributes";

    /// <summary>What a request asks for, in the terms the statement's conditions use.</summary>
    public bool Allows(AccessRequest request) =>
        Resource == request.Resource
        && Actions.Contains(request.Action, StringComparer.Ordinal)
        && (LeadingKeyPrefixes is null || request.LeadingKeys.All(key => LeadingKeyPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal))))
        && (Attributes is null || request.Attributes.All(a => Attributes.Contains(a, StringComparer.Ordinal)));
}

/// <summary>
/// One request as IAM sees it: an action (`dynamodb:PutItem`), a resource, and for DynamoDB the
/// partition-key values and top-level attribute names the request touches.
/// </summary>
public sealed record AccessRequest(string Action, AccessResource Resource, IReadOnlyList<string> LeadingKeys, IReadOnlyList<string> Attributes)
{
    public static AccessRequest Of(string action, AccessResource resource) => new(action, resource, [], []);
}

/// <summary>Everything one service may do on AWS. Whatever is not granted is denied.</summary>
public sealed record ServiceAccess(string Service, IReadOnlyList<AccessGrant> Grants)
{
    /// <summary>Locally, a service's identity is the access key id of its SigV4 credential: its name.</summary>
    public string AccessKeyId => Service;

    public bool Allows(AccessRequest request) => Grants.Any(g => g.Allows(request));

    /// <summary>The same access with one statement left out (what a test uses to show a missing grant failing).</summary>
    public ServiceAccess Without(Func<AccessGrant, bool> grant) => this with { Grants = [.. Grants.Where(g => !grant(g))] };
}
