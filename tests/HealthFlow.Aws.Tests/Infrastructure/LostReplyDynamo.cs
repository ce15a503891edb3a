using System.Reflection;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace HealthFlow.Aws.Tests.Infrastructure;

/// <summary>
/// A DynamoDB client whose PutItem reply is "lost" once: the put lands, and the request is sent
/// again, as the SDK's retry does after a timeout. Everything else goes straight to the real client.
/// </summary>
public class LostReplyDynamo : DispatchProxy
{
    private IAmazonDynamoDB _inner = null!;

    public static IAmazonDynamoDB Wrap(IAmazonDynamoDB inner)
    {
        var proxy = Create<IAmazonDynamoDB, LostReplyDynamo>();
        ((LostReplyDynamo)(object)proxy)._inner = inner;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        if (targetMethod?.Name == nameof(IAmazonDynamoDB.PutItemAsync) && args is [PutItemRequest request, CancellationToken cancellationToken])
            return PutTwiceAsync(request, cancellationToken);
        try
        {
            return targetMethod!.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
    }

    private async Task<PutItemResponse> PutTwiceAsync(PutItemRequest request, CancellationToken cancellationToken)
    {
        await _inner.PutItemAsync(request, cancellationToken);
        return await _inner.PutItemAsync(request, cancellationToken);
    }
}
