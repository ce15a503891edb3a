using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.Domain;
using HealthFlow.Topology;
using Microsoft.Extensions.DependencyInjection;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// The negative controls of what <see cref="ExactlyOnceLedger"/> reads beyond the streams: a check-in stored and
/// projected once, then one of its commits planted back into the outbox (parked, so no relay takes it), and a copy of
/// its event planted in a dead-letter queue. Each is reported for that check-in; both are removed again.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ExactlyOnceLedgerTests(AppHostFixture system) : IDisposable
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);
    private readonly SystemEventStore _store = new(system.AwsEndpointUrl);

    [Fact]
    public async Task A_check_in_with_a_commit_left_in_the_outbox_or_a_message_in_a_dead_letter_queue_is_a_violation()
    {
        var patient = await _api.RegisterPatientAsync();
        var checkIn = await _api.CheckInAsync(patient, new { score = 2 });
        await _quiescence.WaitAsync();
        Assert.Empty((await _store.LedgerAsync()).Violations([checkIn], new HashSet<Guid>()));

        var dynamo = _store.Services.GetRequiredService<IAmazonDynamoDB>();
        var sqs = _store.Services.GetRequiredService<IAmazonSQS>();
        var stream = StreamId.ForObservation(checkIn).Value;
        var key = new Dictionary<string, AttributeValue> { ["streamId"] = new() { S = stream }, ["version"] = new() { N = "1" } };
        var deadLetters = (await sqs.GetQueueUrlAsync(HealthFlowTopology.Queues.ObservationProjection.DeadLetterQueueName)).QueueUrl;
        string? planted = null;
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = HealthFlowTopology.Tables.Events.Name,
                Key = key,
                UpdateExpression = "SET #pending = :parked, #parked = :reason",
                ExpressionAttributeNames = new() { ["#pending"] = "pending", ["#parked"] = "parked" },
                ExpressionAttributeValues = new() { [":parked"] = new() { S = "parked" }, [":reason"] = new() { S = "planted by ExactlyOnceLedgerTests" } },
            });
            planted = (await sqs.SendMessageAsync(deadLetters, new JsonObject
            {
                ["detail-type"] = "ObservationSubmitted",
                ["detail"] = new JsonObject { ["data"] = new JsonObject { ["observationId"] = checkIn.ToString() } },
            }.ToJsonString())).MessageId;

            var violations = (await _store.LedgerAsync()).Violations([checkIn], new HashSet<Guid>());

            Assert.Equal(2, violations.Count);
            Assert.Contains(violations, v => v.StartsWith($"check-in {checkIn} has commits still in the outbox: {stream}@1 (parked)", StringComparison.Ordinal));
            Assert.Contains(violations, v => v.StartsWith($"check-in {checkIn} has a message dead-lettered in {HealthFlowTopology.Queues.ObservationProjection.DeadLetterQueueName}", StringComparison.Ordinal));
        }
        finally
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = HealthFlowTopology.Tables.Events.Name,
                Key = key,
                UpdateExpression = "REMOVE #pending, #parked",
                ExpressionAttributeNames = new() { ["#pending"] = "pending", ["#parked"] = "parked" },
            });
            if (planted is not null)
            {
                await DeleteAsync(sqs, deadLetters, planted);
            }
        }

        Assert.Empty((await _store.LedgerAsync()).Violations([checkIn], new HashSet<Guid>()));
    }

    private static async Task DeleteAsync(IAmazonSQS sqs, string queueUrl, string messageId)
    {
        await Eventually.UntilAsync(async () =>
        {
            var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = 1, VisibilityTimeout = 5 });
            foreach (var message in received.Messages ?? [])
            {
                if (message.MessageId == messageId)
                {
                    await sqs.DeleteMessageAsync(queueUrl, message.ReceiptHandle);
                    return true;
                }
            }

            return false;
        }, "the planted dead letter to be removed");
    }

    public void Dispose()
    {
        _quiescence.Dispose();
        _store.Dispose();
    }
}
