using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace HealthFlow.EventBridge;

/// <summary>
/// Where and as whom the EventBridge client talks. Every member is optional: unset members are
/// resolved the standard AWS way (see <see cref="EventBridgeConnection.Resolve"/>).
/// </summary>
public sealed class EventBridgeClientOptions
{
    /// <summary>Overrides the endpoint (otherwise AWS_ENDPOINT_URL_EVENTBRIDGE, AWS_ENDPOINT_URL, then the regional endpoint).</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>Overrides the region (otherwise AWS_REGION, AWS_DEFAULT_REGION, then the SDK's region chain).</summary>
    public string? Region { get; set; }

    /// <summary>Overrides the credentials (otherwise the SDK's default credential chain).</summary>
    public AWSCredentials? Credentials { get; set; }
}

/// <summary>A fully resolved endpoint, signing region and credentials.</summary>
public sealed record EventBridgeConnection(Uri Endpoint, RegionEndpoint Region, AWSCredentials Credentials)
{
    public const string SigningService = "events";

    // Emulators (LocalAws, LocalStack) do not care about the region; real AWS has no default.
    private const string LocalDefaultRegion = "us-east-1";

    public static EventBridgeConnection Resolve(EventBridgeClientOptions? options = null) =>
        Resolve(options, Environment.GetEnvironmentVariable);

    /// <summary>Resolves against the given environment variables (tests, tools).</summary>
    public static EventBridgeConnection Resolve(EventBridgeClientOptions? options, Func<string, string?> environment)
    {
        options ??= new EventBridgeClientOptions();
        var endpointOverride = options.ServiceUrl ?? ConfiguredEndpoint(environment);
        var region = ResolveRegion(options.Region, environment, isLocal: endpointOverride is not null);
        var endpoint = endpointOverride ?? new Uri($"https://events.{region.SystemName}.{region.PartitionDnsSuffix ?? "amazonaws.com"}");
        var credentials = options.Credentials ?? DefaultAWSCredentialsIdentityResolver.GetCredentials(clientConfig: null);
        return new EventBridgeConnection(endpoint, region, credentials);
    }

    private static Uri? ConfiguredEndpoint(Func<string, string?> environment)
    {
        if (string.Equals(environment("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true", StringComparison.OrdinalIgnoreCase))
            return null;
        var url = NonEmpty(environment("AWS_ENDPOINT_URL_EVENTBRIDGE")) ?? NonEmpty(environment("AWS_ENDPOINT_URL"));
        return url is null ? null : new Uri(url, UriKind.Absolute);
    }

    private static RegionEndpoint ResolveRegion(string? configured, Func<string, string?> environment, bool isLocal)
    {
        var name = NonEmpty(configured) ?? NonEmpty(environment("AWS_REGION")) ?? NonEmpty(environment("AWS_DEFAULT_REGION"));
        if (name is not null)
            return RegionEndpoint.GetBySystemName(name);
        if (isLocal)
            return RegionEndpoint.GetBySystemName(LocalDefaultRegion);
        return FallbackRegionFactory.GetRegionEndpoint()
            ?? throw new InvalidOperationException("No AWS region configured for EventBridge: set AWS_REGION.");
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
