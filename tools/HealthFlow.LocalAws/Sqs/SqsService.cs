namespace HealthFlow.LocalAws.Sqs;

/// <summary>
/// The SQS operations, on typed requests and results. Both wire formats (<see cref="SqsJsonWire"/>,
/// <see cref="SqsQueryWire"/>) read into and write from the same shapes, so queue state and rules are
/// one SQS whichever protocol a client speaks. Queue URLs are built from the request's origin, so
/// they work for any port.
/// </summary>
internal sealed class SqsService(SqsQueueAdministration administration, SqsMessaging messaging)
{
    /// <summary>The actions LocalAws serves, in both wire formats.</summary>
    public static readonly IReadOnlyList<string> Actions =
    [
        "CreateQueue", "GetQueueUrl", "GetQueueAttributes", "SetQueueAttributes", "PurgeQueue", "DeleteQueue", "ListQueues",
        "ListDeadLetterSourceQueues", "SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch",
        "ChangeMessageVisibility", "ChangeMessageVisibilityBatch",
    ];

    public async Task HandleAsync(string operation, SqsWire wire)
    {
        switch (operation)
        {
            case "SendMessage":
                await wire.WriteAsync(messaging.SendMessage(await wire.ReadAsync<SendMessageRequest>()));
                break;
            case "ReceiveMessage":
                await wire.WriteAsync(await messaging.ReceiveMessageAsync(await wire.ReadAsync<ReceiveMessageRequest>(), wire.Aborted));
                break;
            case "DeleteMessage":
                messaging.DeleteMessage(await wire.ReadAsync<DeleteMessageRequest>());
                await wire.WriteEmptyAsync();
                break;
            case "SendMessageBatch":
                await wire.WriteAsync(messaging.SendMessageBatch(await wire.ReadAsync<SendMessageBatchRequest>()));
                break;
            case "DeleteMessageBatch":
                await wire.WriteAsync(messaging.DeleteMessageBatch(await wire.ReadAsync<ReceiptBatchRequest>()));
                break;
            case "ChangeMessageVisibility":
                messaging.ChangeMessageVisibility(await wire.ReadAsync<ChangeMessageVisibilityRequest>());
                await wire.WriteEmptyAsync();
                break;
            case "ChangeMessageVisibilityBatch":
                await wire.WriteAsync(messaging.ChangeMessageVisibilityBatch(await wire.ReadAsync<ReceiptBatchRequest>()));
                break;
            case "CreateQueue":
                await wire.WriteAsync(administration.CreateQueue(await wire.ReadAsync<CreateQueueRequest>(), wire.Origin));
                break;
            case "GetQueueUrl":
                await wire.WriteAsync(administration.GetQueueUrl(await wire.ReadAsync<GetQueueUrlRequest>(), wire.Origin));
                break;
            case "GetQueueAttributes":
                await wire.WriteAsync(administration.GetQueueAttributes(await wire.ReadAsync<GetQueueAttributesRequest>()));
                break;
            case "SetQueueAttributes":
                administration.SetQueueAttributes(await wire.ReadAsync<SetQueueAttributesRequest>());
                await wire.WriteEmptyAsync();
                break;
            case "PurgeQueue":
                administration.PurgeQueue(await wire.ReadAsync<QueueUrlRequest>());
                await wire.WriteEmptyAsync();
                break;
            case "ListQueues":
                await wire.WriteAsync(administration.ListQueues(await wire.ReadAsync<ListQueuesRequest>(), wire.Origin));
                break;
            case "ListDeadLetterSourceQueues":
                await wire.WriteAsync(administration.ListDeadLetterSourceQueues(await wire.ReadAsync<ListDeadLetterSourceQueuesRequest>(), wire.Origin));
                break;
            case "DeleteQueue":
                administration.DeleteQueue(await wire.ReadAsync<QueueUrlRequest>());
                await wire.WriteEmptyAsync();
                break;
            default:
                throw SqsErrors.UnknownOperation(operation);
        }
    }
}
