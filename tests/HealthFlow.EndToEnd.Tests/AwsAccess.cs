using Amazon;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using HealthFlow.EventStore;
using HealthFlow.Provisioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>The running system's event store and bus, reached the way a service reaches them.</summary>
public sealed class AwsAccess : IDisposable
{
    private readonly IHost _host;

    public AwsAccess(Uri awsEndpoint)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "end-to-end-tests" });
        builder.Services.AddDefaultAWSOptions(new AWSOptions
        {
            Credentials = new BasicAWSCredentials("test", "test"),
            Region = RegionEndpoint.USEast1,
            DefaultClientConfig = { ServiceURL = awsEndpoint.ToString() },
        });
        builder.AddHealthFlowAws();
        _host = builder.Build();
    }

    public IEventStore EventStore => _host.Services.GetRequiredService<IEventStore>();

    public IEventPublisher Publisher => _host.Services.GetRequiredService<IEventPublisher>();

    /// <summary>DynamoDB as the administrator: for writing read-model items a test needs in bulk.</summary>
    public Amazon.DynamoDBv2.IAmazonDynamoDB Dynamo => _host.Services.GetRequiredService<Amazon.DynamoDBv2.IAmazonDynamoDB>();

    public void Dispose() => _host.Dispose();
}
