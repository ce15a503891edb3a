using System.Collections.Concurrent;
using HealthFlow.LocalAws.Protocol;
using HealthFlow.Topology;

namespace HealthFlow.LocalAws.Access;

/// <summary>One refused call, as LocalAws logs it and lists it on /_localaws/access.</summary>
public sealed record AccessDenial(string Service, string Action, string Resource, DateTimeOffset At);

/// <summary>
/// IAM, locally. The access key id of a request's SigV4 credential is the caller:
/// <see cref="AdministratorKeyId"/> may do anything (the CLI, the tests, standard tools); a service's key may do
/// what HealthFlowAccess declares for it, conditions included; any other key, or none, is refused.
/// </summary>
public sealed partial class AccessPolicy
{
    /// <summary>LocalStack's default key, the administrator here as there.</summary>
    public const string AdministratorKeyId = "test";

    private const int KeptDenials = 1_000;

    private readonly LocalAwsOptions _options;
    private readonly ILogger<AccessPolicy> _logger;
    private readonly ConcurrentQueue<AccessDenial> _denials = new();
    private readonly IReadOnlyList<ServiceAccess> _declared;
    private volatile IReadOnlyDictionary<string, ServiceAccess> _byKey;

    public AccessPolicy(LocalAwsOptions options, ILogger<AccessPolicy> logger)
    {
        _options = options;
        _logger = logger;
        _declared = options.Access ?? HealthFlowAccess.All;
        _byKey = _declared.ToDictionary(a => a.AccessKeyId, StringComparer.Ordinal);
        Enforced = options.EnforceAccess;
    }

    /// <summary>On by default (LocalAws:EnforceAccess=false turns it off); switchable at run time.</summary>
    public bool Enforced { get; set; }

    public IReadOnlyCollection<AccessDenial> Denials => _denials;

    /// <summary>Takes one action on one resource away from a service, until <see cref="RestoreAll"/>: how a test shows a missing grant.</summary>
    public void Revoke(string service, string action, string resource)
    {
        var current = _byKey.Values.SingleOrDefault(a => a.Service == service) ?? throw new ArgumentException($"Unknown service {service}.", nameof(service));
        var changed = current with
        {
            Grants = [.. current.Grants
                .Select(g => g.Resource.ArnResource == resource ? g with { Actions = [.. g.Actions.Where(a => a != action)] } : g)
                .Where(g => g.Actions.Count > 0)],
        };
        _byKey = new Dictionary<string, ServiceAccess>(_byKey, StringComparer.Ordinal) { [current.AccessKeyId] = changed };
        LogRevoked(service, action, resource);
    }

    public void RestoreAll() => _byKey = _declared.ToDictionary(a => a.AccessKeyId, StringComparer.Ordinal);

    /// <summary>Null when the caller may make these requests; otherwise the AWS error to answer with.</summary>
    internal AwsServiceException? Authorize(HttpContext context, string awsService, Func<IReadOnlyList<AccessRequest>> requests)
    {
        if (!Enforced)
            return null;
        var keyId = CallerKeyId(context.Request);
        if (keyId == AdministratorKeyId)
            return null;
        if (keyId is null)
            return Refused(awsService, "MissingAuthenticationToken", "Request is missing Authentication Token");
        if (!_byKey.TryGetValue(keyId, out var access))
        {
            LogUnknownKey(keyId);
            return Refused(awsService, awsService == "sqs" ? "InvalidClientTokenId" : "UnrecognizedClientException",
                "The security token included in the request is invalid.");
        }

        foreach (var request in requests())
        {
            if (access.Allows(request))
                continue;
            var arn = request.Resource.Arn(_options.Region, LocalAwsOptions.AccountId);
            _denials.Enqueue(new AccessDenial(access.Service, request.Action, request.Resource.ArnResource, DateTimeOffset.UtcNow));
            while (_denials.Count > KeptDenials && _denials.TryDequeue(out _))
            {
            }

            LogDenied(access.Service, request.Action, arn, request.LeadingKeys is null ? "unknown" : request.LeadingKeys.Count > 0 ? string.Join(",", request.LeadingKeys) : "-",
                request.Attributes.Count > 0 ? string.Join(",", request.Attributes) : "-");
            var message = $"User: arn:aws:sts::{LocalAwsOptions.AccountId}:assumed-role/{access.Service}/local is not authorized to perform: "
                + $"{request.Action} on resource: {arn} because no identity-based policy allows the {request.Action} action";
            return awsService switch
            {
                "sqs" => new AwsServiceException("com.amazon.coral.service#AccessDeniedException", message, "AccessDenied", 403),
                _ => new AwsServiceException("com.amazon.coral.service#AccessDeniedException", message),
            };
        }

        return null;
    }

    /// <summary>
    /// The access key id in `Authorization: AWS4-HMAC-SHA256 Credential=KEY/date/region/service/aws4_request, …`. Only the
    /// header counts: SigV4Verifier refuses presigned (query-string) credentials before access is checked.
    /// </summary>
    public static string? CallerKeyId(HttpRequest request)
    {
        var credential = request.Headers.Authorization.ToString() is { Length: > 0 } authorization
            && authorization.IndexOf("Credential=", StringComparison.Ordinal) is var at and >= 0
                ? authorization[(at + "Credential=".Length)..]
                : "";
        var slash = credential.IndexOf('/');
        return slash > 0 ? credential[..slash] : null;
    }

    private static AwsServiceException Refused(string awsService, string code, string message) =>
        awsService == "sqs"
            ? new AwsServiceException("com.amazon.coral.service#" + code, message, code, 403)
            : new AwsServiceException("com.amazon.coral.service#" + code, message, statusCode: awsService == "dynamodb" ? 400 : 403);

    [LoggerMessage(Level = LogLevel.Warning, Message = "AccessDenied: {Service} may not {Action} on {Resource} (leading keys {LeadingKeys}; attributes {Attributes})")]
    private partial void LogDenied(string service, string action, string resource, string leadingKeys, string attributes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request signed with the unknown access key id {KeyId}")]
    private partial void LogUnknownKey(string keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Revoked {Action} on {Resource} from {Service}")]
    private partial void LogRevoked(string service, string action, string resource);
}
