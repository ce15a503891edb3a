using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.SQS;
using HealthFlow.Aws.EventBridge;
using HealthFlow.LocalAws;

namespace HealthFlow.LocalAws.Tests;

/// <summary>One LocalAws per test collection, driven by the official SDK clients and the signed EventBridge client.</summary>
public sealed class LocalAwsFixture : IAsyncLifetime
{
    public const string Region = "us-east-1";

    // LocalAws accepts any signature; the clients still sign, as against AWS.
    private static readonly AWSCredentials Credentials = new BasicAWSCredentials("test", "test");

    public LocalAwsServer Server { get; private set; } = null!;
    public AmazonSQSClient Sqs { get; private set; } = null!;
    public AmazonDynamoDBClient DynamoDb { get; private set; } = null!;
    public EventBridgeClient EventBridge { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await LocalAwsServer.StartAsync(port: 0);
        Sqs = new AmazonSQSClient(Credentials, new AmazonSQSConfig { ServiceURL = Server.ServiceUrl, AuthenticationRegion = Region });
        DynamoDb = new AmazonDynamoDBClient(Credentials, new AmazonDynamoDBConfig { ServiceURL = Server.ServiceUrl, AuthenticationRegion = Region });
        EventBridge = new EventBridgeClient(Server.BaseUrl, Region, Credentials);
    }

    public async Task DisposeAsync()
    {
        Sqs.Dispose();
        DynamoDb.Dispose();
        EventBridge.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>
    /// A plain HttpClient for hand-made wire requests, signed (in name only) as the administrator: LocalAws
    /// refuses requests without a credential, as AWS does.
    /// </summary>
    public static HttpClient AdministratorHttpClient(Uri baseAddress)
    {
        var http = new HttpClient { BaseAddress = baseAddress };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", Signature("test"));
        return http;
    }

    /// <summary>The parts of a SigV4 Authorization header LocalAws reads: the access key id of the credential.</summary>
    public static string Signature(string accessKeyId, string service = "sqs") =>
        $"AWS4-HMAC-SHA256 Credential={accessKeyId}/20260101/{Region}/{service}/aws4_request, SignedHeaders=host, Signature=0";

    /// <summary>A name no other test uses, so tests sharing the server stay independent.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 64)];
}

[CollectionDefinition(Name)]
public sealed class LocalAwsCollection : ICollectionFixture<LocalAwsFixture>
{
    public const string Name = "LocalAws";
}

internal static class Wait
{
    /// <summary>Waits until <paramref name="condition"/> holds, checking often; fails after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting until {what}.");
            await Task.Delay(5);
        }
    }
}
