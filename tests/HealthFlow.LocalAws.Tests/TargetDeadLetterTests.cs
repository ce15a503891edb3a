using System.Text.Json.Nodes;
using Amazon.SQS.Model;
using HealthFlow.EventBridge;

namespace HealthFlow.LocalAws.Tests;

/// <summary>
/// A rule target's dead-letter queue: an event EventBridge accepted but could not deliver is kept there, with
/// the attributes AWS puts on it, instead of being lost after PutEvents has already succeeded.
/// </summary>
[Collection(LocalAwsCollection.Name)]
public sealed class TargetDeadLetterTests(LocalAwsFixture aws)
{
    [Fact]
    public async Task An_event_for_a_deleted_target_queue_lands_in_the_targets_dlq()
    {
        var bus = LocalAwsFixture.UniqueName("bus");
        await aws.EventBridge.CreateEventBusAsync(new CreateEventBusRequest(bus));
        var (targetUrl, targetArn) = await QueueAsync("target");
        var (deadLetterUrl, deadLetterArn) = await QueueAsync("delivery-dlq");
        var rule = await aws.EventBridge.PutRuleAsync(new PutRuleRequest("alerts", """{"detail-type":["AlertRaised"]}""", bus));
        await aws.EventBridge.PutTargetsAsync(new PutTargetsRequest("alerts",
            [new Target("queue", targetArn, DeadLetterConfig: new DeadLetterConfig(deadLetterArn), RetryPolicy: new RetryPolicy(185, 86_400))], bus));
        await aws.Sqs.DeleteQueueAsync(targetUrl);

        var put = await aws.EventBridge.PutEventsAsync([new PutEventsRequestEntry("healthflow.alert-worker", "AlertRaised", """{"alertId":"a-1"}""", bus)]);

        Assert.Equal(0, put.FailedEntryCount);
        var kept = Assert.Single((await aws.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = deadLetterUrl,
            MessageAttributeNames = ["All"],
            WaitTimeSeconds = 1,
        })).Messages);
        Assert.Equal("a-1", (string?)JsonNode.Parse(kept.Body)!["detail"]!["alertId"]);
        Assert.Equal(rule.RuleArn, kept.MessageAttributes["RULE_ARN"].StringValue);
        Assert.Equal(targetArn, kept.MessageAttributes["TARGET_ARN"].StringValue);
        Assert.Equal("ResourceNotFound", kept.MessageAttributes["ERROR_CODE"].StringValue);
    }

    [Fact]
    public async Task ListTargetsByRule_returns_the_dead_letter_config_and_retry_policy()
    {
        var bus = LocalAwsFixture.UniqueName("bus");
        await aws.EventBridge.CreateEventBusAsync(new CreateEventBusRequest(bus));
        var (_, targetArn) = await QueueAsync("target");
        var (_, deadLetterArn) = await QueueAsync("delivery-dlq");
        await aws.EventBridge.PutRuleAsync(new PutRuleRequest("r", """{"source":["s"]}""", bus));
        await aws.EventBridge.PutTargetsAsync(new PutTargetsRequest("r",
            [new Target("queue", targetArn, DeadLetterConfig: new DeadLetterConfig(deadLetterArn), RetryPolicy: new RetryPolicy(3, 600))], bus));

        var target = Assert.Single((await aws.EventBridge.ListTargetsByRuleAsync(new ListTargetsByRuleRequest("r", bus))).Targets);

        Assert.Equal(deadLetterArn, target.DeadLetterConfig?.Arn);
        Assert.Equal(new RetryPolicy(3, 600), target.RetryPolicy);
    }

    private async Task<(string Url, string Arn)> QueueAsync(string prefix)
    {
        var url = (await aws.Sqs.CreateQueueAsync(LocalAwsFixture.UniqueName(prefix))).QueueUrl;
        return (url, (await aws.Sqs.GetQueueAttributesAsync(url, ["QueueArn"])).Attributes["QueueArn"]);
    }
}
