using System.Collections.Concurrent;
using System.Reflection;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace HealthFlow.Aws.Tests.Infrastructure;

/// <summary>
/// An SQS client whose ChangeMessageVisibility passes through a fault the test chooses (fail, or be
/// slow) and records every change that reached the queue. Everything else goes straight to the real client.
/// </summary>
public class VisibilityFaultSqs : ClientProxy<IAmazonSQS>
{
    private Func<ChangeMessageVisibilityRequest, CancellationToken, Task> _fault = null!;

    /// <summary>The visibility timeouts (seconds) that reached the queue, in order.</summary>
    public ConcurrentQueue<int> Applied { get; } = new();

    public static (IAmazonSQS Client, VisibilityFaultSqs Faults) Wrap(IAmazonSQS inner, Func<ChangeMessageVisibilityRequest, CancellationToken, Task> fault)
    {
        var (client, faults) = Create<VisibilityFaultSqs>(inner);
        faults._fault = fault;
        return (client, faults);
    }

    protected override object? Intercept(MethodInfo method, object?[]? args) =>
        method.Name == nameof(IAmazonSQS.ChangeMessageVisibilityAsync) && args is [ChangeMessageVisibilityRequest request, CancellationToken cancellationToken]
            ? ChangeAsync(request, cancellationToken)
            : null;

    private async Task<ChangeMessageVisibilityResponse> ChangeAsync(ChangeMessageVisibilityRequest request, CancellationToken cancellationToken)
    {
        await _fault(request, cancellationToken);
        var response = await Inner.ChangeMessageVisibilityAsync(request, cancellationToken);
        Applied.Enqueue(request.VisibilityTimeout ?? 0);
        return response;
    }
}
