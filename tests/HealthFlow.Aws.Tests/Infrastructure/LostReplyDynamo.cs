using System.Reflection;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace HealthFlow.Aws.Tests.Infrastructure;

/// <summary>
/// A DynamoDB client whose PutItem reply is "lost" once: the put lands, and the request is sent
/// again, as the SDK's retry does after a timeout. Everything else goes straight to the real client.
/// </summary>
public class LostReplyDynamo : ClientProxy<IAmazonDynamoDB>
{
    public static IAmazonDynamoDB Wrap(IAmazonDynamoDB inner) => Create<LostReplyDynamo>(inner).Client;

    protected override object? Intercept(MethodInfo method, object?[]? args) =>
        method.Name == nameof(IAmazonDynamoDB.PutItemAsync) && args is [PutItemRequest request, CancellationToken cancellationToken]
            ? PutTwiceAsync(request, cancellationToken)
            : null;

    private async Task<PutItemResponse> PutTwiceAsync(PutItemRequest request, CancellationToken cancellationToken)
    {
        await Inner.PutItemAsync(request, cancellationToken);
        return await Inner.PutItemAsync(request, cancellationToken);
    }
}
