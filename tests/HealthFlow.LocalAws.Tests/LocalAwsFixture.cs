using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.SQS;
using HealthFlow.EventBridge;
using HealthFlow.LocalAws;

namespace HealthFlow.LocalAws.Tests;

/// <summary>One LocalAws per test collection, driven by the official SDK clients and the signed EventBridge client.</summary>
public sealed class LocalAwsFixture : IAsyncLifetime
{
    public const string Region = "us-east-1";

    // The administrator; LocalAws checks the signature, as AWS does.
    private static readonly AWSCredentials Credentials = new BasicAWSCredentials(LocalAwsCredentials.AdministratorKeyId, LocalAwsCredentials.AdministratorSecretAccessKey);

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
    /// An HttpClient for hand-made wire requests, each signed (SigV4, by AWSSDK.Core's handler) as the administrator:
    /// LocalAws refuses unsigned and wrongly signed requests, as AWS does.
    /// </summary>
    public static HttpClient AdministratorHttpClient(Uri baseAddress, string service = "sqs") =>
        new(new Amazon.Runtime.Signing.SigV4SigningHandler(Credentials, Amazon.RegionEndpoint.GetBySystemName(Region), service, new SocketsHttpHandler()))
        {
            BaseAddress = baseAddress,
        };

    /// <summary>A name no other test uses, so tests sharing the server stay independent.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 64)];
}

[CollectionDefinition(Name)]
public sealed class LocalAwsCollection : ICollectionFixture<LocalAwsFixture>
{
    public const string Name = "LocalAws";
}

internal static class DynamoDbTables
{
    /// <summary>Creates the table and waits until it is ACTIVE, as every client of DynamoDB must before using it.</summary>
    public static async Task CreateActiveAsync(IAmazonDynamoDB dynamoDb, Amazon.DynamoDBv2.Model.CreateTableRequest request)
    {
        await dynamoDb.CreateTableAsync(request);
        await HealthFlow.Provisioning.TopologyProvisioner.WaitUntilActiveAsync(dynamoDb, request.TableName, TimeSpan.FromMinutes(1));
    }
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
