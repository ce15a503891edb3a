using Amazon.Runtime;
using HealthFlow.EventBridge;

namespace HealthFlow.LocalAws.Tests;

/// <summary>The EventBridge client finds its endpoint and region the way the AWS SDKs do.</summary>
public sealed class EventBridgeConnectionTests
{
    private static readonly EventBridgeClientOptions WithCredentials = new() { Credentials = new BasicAWSCredentials("a", "b") };

    private static EventBridgeConnection Resolve(params (string Name, string Value)[] variables)
    {
        var environment = variables.ToDictionary(v => v.Name, v => v.Value);
        return EventBridgeConnection.Resolve(WithCredentials, name => environment.GetValueOrDefault(name));
    }

    [Fact]
    public void Service_specific_endpoint_wins_over_the_global_one()
    {
        var connection = Resolve(("AWS_ENDPOINT_URL", "http://localhost:4566"), ("AWS_ENDPOINT_URL_EVENTBRIDGE", "http://localhost:4600"), ("AWS_REGION", "eu-west-1"));

        Assert.Equal(new Uri("http://localhost:4600"), connection.Endpoint);
        Assert.Equal("eu-west-1", connection.Region.SystemName);
    }

    [Fact]
    public void Global_endpoint_is_used_and_a_local_endpoint_defaults_to_us_east_1()
    {
        var connection = Resolve(("AWS_ENDPOINT_URL", "http://localhost:4566"));

        Assert.Equal(new Uri("http://localhost:4566"), connection.Endpoint);
        Assert.Equal("us-east-1", connection.Region.SystemName);
    }

    [Fact]
    public void Without_an_endpoint_the_regional_AWS_endpoint_is_used()
    {
        Assert.Equal(new Uri("https://events.eu-central-1.amazonaws.com"), Resolve(("AWS_DEFAULT_REGION", "eu-central-1")).Endpoint);
        Assert.Equal(
            new Uri("https://events.ap-southeast-2.amazonaws.com"),
            Resolve(("AWS_REGION", "ap-southeast-2"), ("AWS_ENDPOINT_URL", "http://localhost:4566"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")).Endpoint);
    }

    [Fact]
    public void Explicit_options_win_over_the_environment()
    {
        var connection = EventBridgeConnection.Resolve(
            new EventBridgeClientOptions { ServiceUrl = new Uri("http://127.0.0.1:9999"), Region = "us-west-2", Credentials = new BasicAWSCredentials("a", "b") },
            name => name == "AWS_ENDPOINT_URL" ? "http://localhost:4566" : null);

        Assert.Equal(new Uri("http://127.0.0.1:9999"), connection.Endpoint);
        Assert.Equal("us-west-2", connection.Region.SystemName);
    }
}
