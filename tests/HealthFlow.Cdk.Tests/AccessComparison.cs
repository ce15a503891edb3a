using System.Text.Json;
using HealthFlow.Cdk.Constructs;
using HealthFlow.Topology;

namespace HealthFlow.Cdk.Tests;

/// <summary>What a task role holds beyond its service's declaration, and what it lacks of it.</summary>
public sealed record AccessDifference(IReadOnlySet<GrantedStatement> GrantedNotDeclared, IReadOnlySet<GrantedStatement> DeclaredNotGranted)
{
    public bool IsExact => GrantedNotDeclared.Count == 0 && DeclaredNotGranted.Count == 0;

    public override string ToString() =>
        $"granted but not declared: [{string.Join("; ", GrantedNotDeclared)}]; declared but not granted: [{string.Join("; ", DeclaredNotGranted)}]";
}

/// <summary>
/// The comparison <c>AccessTests</c> relies on: a task role's IAM statements in a template against the service's
/// <see cref="HealthFlowAccess"/> declaration, one action on one resource with its conditions at a time. Key use and
/// the telemetry collector's grants are checked on their own, so they are left out here.
/// </summary>
public static class AccessComparison
{
    public static IReadOnlySet<GrantedStatement> Declared(ServiceAccess access) =>
        access.Grants
            .SelectMany(grant => grant.Actions.Select(action => new GrantedStatement(
                action,
                grant.Resource.ArnResource,
                TemplateModel.CanonicalJson(JsonSerializer.SerializeToNode(DeclaredAccess.Conditions(grant))))))
            .ToHashSet();

    public static IReadOnlySet<GrantedStatement> Granted(TemplateModel template, string service) =>
        template.StatementsOf(template.TaskRoleId(service))
            .Where(s => !s.Action.StartsWith("kms:", StringComparison.Ordinal) && !IsTelemetry(s))
            .ToHashSet();

    public static AccessDifference Compare(TemplateModel template, string service)
    {
        var declared = Declared(HealthFlowAccess.For(service));
        var granted = Granted(template, service);
        return new AccessDifference(granted.Except(declared).ToHashSet(), declared.Except(granted).ToHashSet());
    }

    public static bool IsTelemetry(GrantedStatement statement) =>
        statement.Action.StartsWith("xray:", StringComparison.Ordinal) || statement.Action.StartsWith("logs:", StringComparison.Ordinal);
}
