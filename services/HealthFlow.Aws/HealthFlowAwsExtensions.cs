using Amazon.DynamoDBv2;
using Amazon.Extensions.NETCore.Setup;
using Amazon.SQS;
using HealthFlow.Aws.EventBridge;
using HealthFlow.Aws.EventStore;
using HealthFlow.Aws.Messaging;
using HealthFlow.Aws.Topology;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HealthFlow.Aws;

public static class HealthFlowAwsExtensions
{
    /// <summary>
    /// The AWS clients (DynamoDB, SQS, EventBridge), the event store with its EventBridge publisher
    /// and outbox relay, and the topology provisioner. Endpoint, region and credentials come only
    /// from the standard AWS settings: AWS_ENDPOINT_URL, AWS_REGION, the credential chain (or the
    /// "AWS" configuration section of AWSSDK.Extensions.NETCore.Setup). Nothing here knows which
    /// AWS implementation it talks to.
    /// </summary>
    public static TBuilder AddHealthFlowAws<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(Registered)))
            return builder;
        services.AddSingleton<Registered>();
        var configuration = builder.Configuration;
        services.TryAddSingleton(TimeProvider.System);

        if (!services.Any(d => d.ServiceType == typeof(AWSOptions)))
            services.AddDefaultAWSOptions(configuration.GetAWSOptions());
        services.TryAddAWSService<IAmazonDynamoDB>();
        services.TryAddAWSService<IAmazonSQS>();
        services.AddEventBridgeClient();
        // The EventBridge client is not an SDK client: hand it the same explicit settings, if any,
        // so all three clients always talk to the same endpoint as the same identity.
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
        services.AddOptions<OutboxOptions>()
            .BindConfiguration(OutboxOptions.Section)
            .ValidateDataAnnotations()
            .Validate<IOptions<EventStoreOptions>>(
                (outbox, store) => !outbox.RelayEnabled
                    || outbox.RepublishAfter >= OutboxOptions.RepublishAfterPublishTimeouts * store.Value.PublishTimeout,
                $"HealthFlow:Outbox:RepublishAfter must be at least {OutboxOptions.RepublishAfterPublishTimeouts}× HealthFlow:EventStore:PublishTimeout, or a slow but successful publish would be repeated.")
            .Validate(outbox => outbox.LeaseDuration >= 2 * outbox.SweepInterval,
                "HealthFlow:Outbox:LeaseDuration must be at least twice SweepInterval, or a relay loses its shards between sweeps.")
            .ValidateOnStart();
        var serviceName = configuration["HealthFlow:ServiceName"] is { Length: > 0 } configured ? configured
            : configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } otel ? otel
            : builder.Environment.ApplicationName;
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
        services.TryAddSingleton<IEventStore, DynamoEventStore>();
        services.AddHostedService<OutboxRelay>();
        services.TryAddSingleton<TopologyProvisioner>();
        return builder;
    }

    private sealed class Registered;
}
