using Amazon.DynamoDBv2;
using Amazon.Extensions.NETCore.Setup;
using HealthFlow.EventBridge;
using HealthFlow.Topology;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HealthFlow.EventStore;

/// <summary>
/// The AWS clients and the event store, registered per role: a service registers only what it uses, so that it needs no
/// IAM access beyond its declaration (HealthFlowAccess). Messaging's AddHealthFlowSqs adds the SQS client the same way.
/// </summary>
public static class AwsServiceCollectionExtensions
{
    /// <summary>
    /// For a service that appends events: the event store, its EventBridge publisher, and the outbox relay that
    /// republishes what a crashed or failed publish left behind. The relay runs only where appends happen.
    /// </summary>
    public static TBuilder AddHealthFlowEventStore<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(EventStoreRegistered)))
            return builder;
        services.AddSingleton<EventStoreRegistered>();
        var configuration = builder.Configuration;
        builder.AddHealthFlowEventStreams();

        services.AddEventBridgeClient();
        // The EventBridge client is not an SDK client: hand it the same explicit settings, if any,
        // so all clients always talk to the same endpoint as the same identity.
        services.AddOptions<EventBridgeClientOptions>().Configure<AWSOptions>((options, aws) =>
        {
            options.ServiceUrl ??= aws.DefaultClientConfig.ServiceURL is { Length: > 0 } url ? new Uri(url) : null;
            options.Region ??= aws.Region?.SystemName;
            options.Credentials ??= aws.Credentials;
        });

        services.AddOptions<EventStoreOptions>()
            .BindConfiguration(EventStoreOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var serviceName = configuration["HealthFlow:ServiceName"] is { Length: > 0 } configured ? configured
            : configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } otel ? otel
            : builder.Environment.ApplicationName;
        services.AddOptions<OutboxOptions>()
            .BindConfiguration(OutboxOptions.Section)
            .PostConfigure(outbox => outbox.Service ??= HealthFlowAccess.Find(serviceName) is { } access
                && HealthFlowAccess.StreamsAppendedBy(access).Count > 0 ? access.Service : null)
            .ValidateDataAnnotations()
            .Validate(outbox => outbox.Service is null
                    || (HealthFlowAccess.Find(outbox.Service) is { } access && access.Service == outbox.Service && HealthFlowAccess.StreamsAppendedBy(access).Count > 0),
                "HealthFlow:Outbox:Service must name a service that appends events (HealthFlowAccess).")
            .Validate<IOptions<EventStoreOptions>>(
                (outbox, store) => !outbox.RelayEnabled
                    || outbox.RepublishAfter >= OutboxOptions.RepublishAfterPublishTimeouts * store.Value.PublishTimeout,
                $"HealthFlow:Outbox:RepublishAfter must be at least {OutboxOptions.RepublishAfterPublishTimeouts}× HealthFlow:EventStore:PublishTimeout, or a slow but successful publish would be repeated.")
            .Validate(outbox => outbox.LeaseDuration >= 2 * outbox.SweepInterval,
                "HealthFlow:Outbox:LeaseDuration must be at least twice SweepInterval, or a relay loses its shards between sweeps.")
            .ValidateOnStart();
        services.AddOptions<EventPublisherOptions>()
            .BindConfiguration(EventPublisherOptions.Section)
            .PostConfigure(options =>
            {
                if (string.IsNullOrWhiteSpace(options.Source))
                    options.Source = EventPublisherOptions.SourceFor(serviceName);
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton<IEventPublisher, EventBridgePublisher>();
        services.TryAddSingleton<OutboxMarks>();
        services.TryAddSingleton<Leases>();
        services.TryAddSingleton<OutboxParking>();
        services.TryAddSingleton<IEventStore, DynamoEventStore>();
        services.AddHostedService<OutboxRelay>();
        return builder;
    }

    /// <summary>
    /// Reading event streams only (no append, no publish, no relay): what the alert projection's
    /// fallbacks need. Comes with the DynamoDB client.
    /// </summary>
    public static TBuilder AddHealthFlowEventStreams<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddHealthFlowDynamoDb();
        builder.Services.TryAddSingleton<IEventStreamReader, DynamoEventStreams>();
        return builder;
    }

    /// <summary>The DynamoDB client, configured the standard AWS way.</summary>
    public static TBuilder AddHealthFlowDynamoDb<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddHealthFlowAwsOptions();
        builder.Services.TryAddAWSService<IAmazonDynamoDB>();
        return builder;
    }

    /// <summary>
    /// Endpoint, region and credentials come only from the standard AWS settings: AWS_ENDPOINT_URL, AWS_REGION,
    /// the credential chain (or the "AWS" configuration section of AWSSDK.Extensions.NETCore.Setup). Nothing
    /// here knows which AWS implementation it talks to.
    /// </summary>
    public static void AddHealthFlowAwsOptions<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        if (!builder.Services.Any(d => d.ServiceType == typeof(AWSOptions)))
            builder.Services.AddDefaultAWSOptions(builder.Configuration.GetAWSOptions());
    }

    private sealed class EventStoreRegistered;
}
