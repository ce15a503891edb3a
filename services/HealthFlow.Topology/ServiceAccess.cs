namespace HealthFlow.Topology;

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
/// One IAM Allow statement: these actions on one resource, under conditions that IAM evaluates as follows
/// (LocalAws evaluates them the same way, in <see cref="Allows"/>):
/// <list type="bullet">
/// <item><paramref name="LeadingKeyPrefixes"/> becomes `ForAllValues:StringLike dynamodb:LeadingKeys [prefix*]` plus
/// `Null dynamodb:LeadingKeys false`: every partition-key value the request touches starts with one of the prefixes,
/// and the request must name them. Without the Null test, ForAllValues holds for a request that names none
/// (a Scan), which would read every partition.</item>
/// <item><paramref name="Attributes"/> becomes `ForAllValues:StringEquals dynamodb:Attributes`: every top-level
/// attribute the request names (item, key, update, condition and projection expressions) is one of these.</item>
/// <item><paramref name="ReturnValues"/> becomes `StringEqualsIfExists dynamodb:ReturnValues`: what a write may hand
/// back. A request without ReturnValues asks for NONE and passes, whether IAM fills in that default or leaves the
/// key out (IfExists), so list NONE among the values. Put it only on write actions; a read has no ReturnValues.</item>
/// <item><paramref name="Select"/> becomes `StringEquals dynamodb:Select`: what a Query may return. The request
/// must say so itself (a request without Select does not match), so that an index's projection cannot hand back
/// attributes that <paramref name="Attributes"/> leaves out.</item>
/// </list>
/// </summary>
public sealed record AccessGrant(
    AccessResource Resource,
    IReadOnlyList<string> Actions,
    IReadOnlyList<string>? LeadingKeyPrefixes = null,
    IReadOnlyList<string>? Attributes = null,
    IReadOnlyList<string>? ReturnValues = null,
    IReadOnlyList<string>? Select = null)
{
    public const string LeadingKeysCondition = "dynamodb:LeadingKeys";
    public const string AttributesCondition = "dynamodb:Attributes";
    public const string ReturnValuesCondition = "dynamodb:ReturnValues";
    public const string SelectCondition = "dynamodb:Select";

    /// <summary>What a write returns when the request does not say: nothing.</summary>
    public const string NoReturnValues = "NONE";

    /// <summary>Whether this statement allows the request, conditions included.</summary>
    public bool Allows(AccessRequest request) =>
        Resource == request.Resource
        && Actions.Contains(request.Action, StringComparer.Ordinal)
        && (LeadingKeyPrefixes is null
            // Fail closed: partition keys that could not be determined (a Scan, an unreadable key condition) never match.
            || (request.LeadingKeys is { Count: > 0 } keys && keys.All(key => LeadingKeyPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)))))
        && (Attributes is null || request.Attributes.All(a => Attributes.Contains(a, StringComparer.Ordinal)))
        && (ReturnValues is null || request.ReturnValues is null || ReturnValues.Contains(request.ReturnValues, StringComparer.Ordinal))
        && (Select is null || (request.Select is { } select && Select.Contains(select, StringComparer.Ordinal)));
}

/// <summary>
/// One request as IAM sees it: an action (`dynamodb:PutItem`), a resource, and for DynamoDB the condition keys:
/// the partition-key values it touches (<paramref name="LeadingKeys"/>; null when they cannot be determined, which
/// no LeadingKeys condition allows), the top-level attribute names it names, its ReturnValues and its Select (null: absent).
/// </summary>
public sealed record AccessRequest(
    string Action,
    AccessResource Resource,
    IReadOnlyList<string>? LeadingKeys,
    IReadOnlyList<string> Attributes,
    string? ReturnValues = null,
    string? Select = null)
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
