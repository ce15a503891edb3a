using System.Security.Claims;
using System.Text.RegularExpressions;
using HealthFlow.Domain.Events;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.ServiceDefaults.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HealthFlow.PatientAccess;

/// <summary>Marks an endpoint whose responses carry patient data; the audit-completeness test finds them by the tag.</summary>
public sealed class PatientDataEndpoint
{
    /// <summary>The OpenAPI tag every audited endpoint carries, so tests enumerate them from /openapi/v1.json.</summary>
    public const string Tag = "Patient data";
}

/// <summary>
/// The audit trail at the HTTP edge. <see cref="WithPatientDataAudit{TBuilder}"/> marks an endpoint and adds a
/// filter that, after the handler, turns what the response carries (and what the handler refused) into records,
/// one per patient, and waits for <see cref="AuditTrail"/> to store them before the response is written.
/// </summary>
public static partial class PatientDataAudit
{
    public const string Allowed = "allowed";
    public const string Denied = "denied";

    public static TBuilder WithPatientDataAudit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder
            .WithMetadata(new PatientDataEndpoint())
            .WithTags(PatientDataEndpoint.Tag)
            .AddEndpointFilter(async (context, next) =>
            {
                var result = await next(context);
                var http = context.HttpContext;
                var records = Refusals(http).Concat(Disclosures(http, result)).Concat(NotedDisclosures(http)).ToList();
                try
                {
                    await http.RequestServices.GetRequiredService<AuditTrail>().RecordAsync(records, http.RequestAborted);
                }
                catch (AuditUnavailableException)
                {
                    return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Audit trail unavailable",
                        detail: "Patient data is not returned while its access cannot be recorded. Try again shortly.");
                }

                return result;
            });

    /// <summary>Notes that the handler refused this caller a patient's data (it answers 404); the filter records it.</summary>
    public static void RecordDenied(this HttpContext http, Guid patientId, Guid? resourceId = null) =>
        Refused(http).Add((patientId, resourceId ?? patientId));

    /// <summary>
    /// Notes that the response carries this patient's data, for results the filter cannot read (FHIR resources):
    /// the filter records it with the ids given.
    /// </summary>
    public static void RecordDisclosed(this HttpContext http, Guid patientId, IReadOnlyList<string> resourceIds) =>
        Disclosed(http).Add((patientId, resourceIds));

    /// <summary>Records that a response (an SSE batch) carried these items, and waits until the records are stored.</summary>
    /// <exception cref="AuditUnavailableException"/>
    public static Task RecordDisclosedAsync(this HttpContext http, IEnumerable<IPatientRecord> items) =>
        http.RequestServices.GetRequiredService<AuditTrail>().RecordAsync(RecordsOf(http, items, Allowed).ToList(), http.RequestAborted);

    /// <summary>`GET /api/patients/{patientId}`: the method and route template, constraints left out, as OpenAPI names the path.</summary>
    public static string ActionOf(HttpContext http)
    {
        var template = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path.Value ?? string.Empty;
        template = RouteConstraint().Replace(template, "{$1}");
        if (!template.StartsWith('/'))
        {
            template = "/" + template;
        }

        return $"{http.Request.Method} {(template.Length > 1 ? template.TrimEnd('/') : template)}";
    }

    private static IEnumerable<PatientDataAccessed> Disclosures(HttpContext http, object? result)
    {
        while (result is INestedHttpResult nested)
        {
            result = nested.Result;
        }

        var value = (result as IValueHttpResult)?.Value;
        IEnumerable<IPatientRecord> items = value switch
        {
            IPatientRecord one => [one],
            IPage<IPatientRecord> page => page.Items,
            IEnumerable<IPatientRecord> many => many,
            _ => [],
        };
        return RecordsOf(http, items, Allowed);
    }

    private static IEnumerable<PatientDataAccessed> Refusals(HttpContext http) =>
        http.Items.TryGetValue(typeof(PatientDataAudit), out var refused) && refused is List<(Guid Patient, Guid Resource)> list
            ? list.GroupBy(r => r.Patient).Select(g => Record(http, g.Key, [.. g.Select(r => r.Resource.ToString())], 0, Denied))
            : [];

    private static IEnumerable<PatientDataAccessed> NotedDisclosures(HttpContext http) =>
        http.Items.TryGetValue(DisclosedKey, out var noted) && noted is List<(Guid Patient, IReadOnlyList<string> Resources)> list
            ? list.GroupBy(d => d.Patient).Select(g =>
            {
                var ids = g.SelectMany(d => d.Resources).Distinct().ToList();
                return Record(http, g.Key, ids, ids.Count, Allowed);
            })
            : [];

    private const string DisclosedKey = "healthflow.audit.disclosed";

    private static List<(Guid Patient, IReadOnlyList<string> Resources)> Disclosed(HttpContext http)
    {
        if (!http.Items.TryGetValue(DisclosedKey, out var noted) || noted is not List<(Guid, IReadOnlyList<string>)> list)
        {
            http.Items[DisclosedKey] = list = [];
        }

        return list;
    }

    private static List<(Guid Patient, Guid Resource)> Refused(HttpContext http)
    {
        if (!http.Items.TryGetValue(typeof(PatientDataAudit), out var refused) || refused is not List<(Guid, Guid)> list)
        {
            http.Items[typeof(PatientDataAudit)] = list = [];
        }

        return list;
    }

    private static IEnumerable<PatientDataAccessed> RecordsOf(HttpContext http, IEnumerable<IPatientRecord> items, string outcome) =>
        items.GroupBy(i => i.PatientId).Select(g =>
        {
            var ids = g.Select(i => i.ResourceId.ToString()).Distinct().ToList();
            return Record(http, g.Key, ids, ids.Count, outcome);
        });

    internal static PatientDataAccessed Record(HttpContext http, Guid? patientId, IReadOnlyList<string> resourceIds, int count, string outcome)
    {
        var user = http.User;
        return new PatientDataAccessed(
            Guid.CreateVersion7(),
            user.FindFirstValue(HealthFlowClaims.Subject) ?? "anonymous",
            user.GetRole(),
            patientId,
            ActionOf(http),
            resourceIds,
            count,
            outcome,
            http.Connection.RemoteIpAddress?.ToString(),
            DateTimeOffset.UtcNow,
            http.GetCorrelationId(),
            Query: QueryOf(http.Request));
    }

    // A stream ticket opens the stream once and expires in 30 s, but a credential has no place in the trail.
    private static readonly HashSet<string> SecretParameters = new(StringComparer.OrdinalIgnoreCase) { "ticket", "access_token", "token" };

    /// <summary>The path and query string the caller sent, without credentials: what produced the disclosure.</summary>
    private static string QueryOf(HttpRequest request)
    {
        var query = request.Query.Where(p => !SecretParameters.Contains(p.Key)).SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v)));
        return request.Path.Value + QueryString.Create(query).Value;
    }

    [GeneratedRegex(@"\{(\*{0,2}\w+)(:[^}]+|\?)?\}")]
    private static partial Regex RouteConstraint();
}

/// <summary>
/// Records a denied attempt when the role policy refuses a caller an audited endpoint (a patient asking for
/// another patient's alerts, an admin asking for observations), naming the route's patient when it has one.
/// </summary>
public sealed class DeniedAccessAuditor(AuditTrail trail) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && context.GetEndpoint()?.Metadata.GetMetadata<PatientDataEndpoint>() is not null)
        {
            var patientId = Guid.TryParse(context.GetRouteValue("patientId") as string, out var id) ? id : (Guid?)null;
            var resource = context.Request.RouteValues.Values.OfType<string>().Select(v => Guid.TryParse(v, out var g) ? g : (Guid?)null).LastOrDefault(g => g is not null);
            try
            {
                await trail.RecordAsync([PatientDataAudit.Record(context, patientId, resource is { } r ? [r.ToString()] : [], 0, PatientDataAudit.Denied)], context.RequestAborted);
            }
            catch (AuditUnavailableException)
            {
                // The refusal is answered anyway: it discloses nothing.
            }
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}

public static class PatientDataAuditServiceCollectionExtensions
{
    /// <summary>
    /// Everything an API serving patient data needs at its edge, written once for command-api and query-api: care-team
    /// scopes over the care-team read model, and the audit of every disclosure and denial.
    /// </summary>
    public static IServiceCollection AddPatientAccess(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CareTeamReadModel>();
        services.AddOptions<PatientScopeOptions>().BindConfiguration(PatientScopeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<PatientScopes>();
        return services.AddPatientDataAudit();
    }

    /// <summary>The audit trail's writer, the role-denial recorder, and care-team scoping, for an API that serves patient data.</summary>
    public static IServiceCollection AddPatientDataAudit(this IServiceCollection services)
    {
        services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AuditTrail>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditTrail>());
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, DeniedAccessAuditor>();
        return services;
    }
}
