using System.Text.Json;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.EventBridge;
using HealthFlow.Provisioning;
using HealthFlow.Topology;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HealthFlow.Aws.Tests.Infrastructure;

/// <summary>A queue made for one test, routed from the bus for one detail type.</summary>
public sealed record TestQueue(QueueDefinition Definition, string Url, string DeadLetterUrl);

/// <summary>
/// An AWS endpoint with the HealthFlow topology provisioned on it. The adapter suite runs against
/// each implementation (LocalAws here, LocalStack where Docker exists) through this one shape.
/// </summary>
public abstract class AwsEndpointFixture : IAsyncLifetime
{
    private IHost? _tools;

    /// <summary>Set when the endpoint cannot run here; the suite's facts are then skipped, not failed.</summary>
    public virtual string? SkipReason => null;

    public string ServiceUrl { get; private set; } = string.Empty;

    public IAmazonSQS Sqs => Tools.Services.GetRequiredService<IAmazonSQS>();

    public IAmazonDynamoDB Dynamo => Tools.Services.GetRequiredService<IAmazonDynamoDB>();

    public EventBridgeClient Events => Tools.Services.GetRequiredService<EventBridgeClient>();

    public TopologyProvisioner Provisioner => Tools.Services.GetRequiredService<TopologyProvisioner>();

    private IHost Tools => _tools ?? throw new InvalidOperationException($"The endpoint is not running: {SkipReason}");

    protected abstract Task<string> StartEndpointAsync();

    protected abstract Task StopEndpointAsync();

    public async Task InitializeAsync()
    {
        if (SkipReason is not null)
            return;
        ServiceUrl = await StartEndpointAsync();
        _tools = CreateHost();
        await Provisioner.ProvisionAsync();
    }

    /// <summary>
    /// A HealthFlow process against this endpoint: AddHealthFlowAws with the endpoint given the
    /// standard way (AWSOptions, as AWS_ENDPOINT_URL would), the relay off unless a test turns it on.
    /// </summary>
    public IHost CreateHost(Action<HostApplicationBuilder>? configure = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "HealthFlow.Aws.Tests",
            EnvironmentName = Environments.Development,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HealthFlow:ServiceName"] = "aws-tests",
            ["HealthFlow:Outbox:RelayEnabled"] = "false",
            // The LocalAws reference copies its appsettings.json (Information) next to the tests.
            ["Logging:LogLevel:Default"] = "Warning",
        });
        if (settings is not null)
            builder.Configuration.AddInMemoryCollection(settings);

        var aws = new AWSOptions
        {
            Region = RegionEndpoint.USEast1,
            Credentials = new BasicAWSCredentials("test", "test"),
        };
        aws.DefaultClientConfig.ServiceURL = ServiceUrl;
        builder.Services.AddDefaultAWSOptions(aws);
        builder.AddHealthFlowAws();
        configure?.Invoke(builder);
        return builder.Build();
    }

    /// <summary>A fresh queue and DLQ, and a rule on the HealthFlow bus sending <paramref name="detailType"/> to it.</summary>
    public async Task<TestQueue> CreateRoutedQueueAsync(string purpose, string detailType, TimeSpan visibilityTimeout)
    {
        var name = $"t-{purpose}-{Guid.NewGuid():N}";
        var queue = new QueueDefinition(name, name + "-dlq", HealthFlowTopology.MaxReceiveCount, visibilityTimeout, TimeSpan.FromHours(1));
        var provisioned = await Provisioner.EnsureQueueAsync(queue);
        await Provisioner.EnsureRuleAsync(new RuleDefinition(name, HealthFlowTopology.EventBusName, [detailType], queue));
        var deadLetterUrl = (await Sqs.GetQueueUrlAsync(queue.DeadLetterQueueName)).QueueUrl;
        return new TestQueue(queue, provisioned.Url, deadLetterUrl);
    }

    /// <summary>
    /// Receives from <paramref name="queueUrl"/> until the EventBridge delivery of <paramref name="eventId"/>
    /// shows up, deletes it and returns its body. Other messages are left alone.
    /// </summary>
    public async Task<JsonElement> ReceiveEventAsync(string queueUrl, Guid eventId, TimeSpan timeout)
    {
        var body = await Eventually.ReturnsAsync<string>(async () =>
        {
            var response = await Sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = queueUrl,
                MaxNumberOfMessages = 10,
                WaitTimeSeconds = 1,
            });
            foreach (var message in response.Messages ?? [])
            {
                using var document = JsonDocument.Parse(message.Body);
                var detail = document.RootElement.TryGetProperty("detail", out var d) ? d : document.RootElement;
                if (detail.TryGetProperty("eventId", out var id) && id.GetGuid() == eventId)
                {
                    await Sqs.DeleteMessageAsync(queueUrl, message.ReceiptHandle);
                    return message.Body;
                }
            }

            return null;
        }, timeout, $"event {eventId} arrives in {queueUrl}");
        using var received = JsonDocument.Parse(body);
        return received.RootElement.Clone();
    }

    /// <summary>Visible plus in-flight messages.</summary>
    public async Task<int> MessagesInAsync(string queueUrl)
    {
        var attributes = await Sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = queueUrl,
            AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        });
        return attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible;
    }

    public async Task DisposeAsync()
    {
        _tools?.Dispose();
        if (SkipReason is null)
            await StopEndpointAsync();
    }
}
