using System.Text.Json.Nodes;
using HealthFlow.Cdk.Constructs;
using HealthFlow.Topology;

namespace HealthFlow.Cdk.Tests;

[Collection(CdkCollection.Name)]
public sealed class EventRoutingTests(SynthesizedStack stack)
{
    private TemplateModel Model => stack.Model;

    [Fact]
    public void Each_rule_sends_the_topology_pattern_on_the_healthflow_bus_to_its_queue()
    {
        foreach (var rule in HealthFlowTopology.Rules.All)
        {
            var (_, properties) = Model.OfType("AWS::Events::Rule").Single(r => (string?)r.Properties["Name"] == rule.Name);

            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(rule.EventPattern), properties["EventPattern"]), $"{rule.Name}: {properties["EventPattern"]}");
            Assert.Equal(Model.BusId(), (string?)properties["EventBusName"]!["Ref"]);
            var target = Assert.Single(properties["Targets"]!.AsArray())!;
            Assert.Equal(Model.QueueId(rule.Target.Name), TemplateModel.GetAttTarget(target["Arn"]!));
        }
    }

    [Fact]
    public void Only_its_own_rule_may_send_to_a_work_queue()
    {
        foreach (var rule in HealthFlowTopology.Rules.All)
        {
            var queueId = Model.QueueId(rule.Target.Name);
            var ruleId = Model.OfType("AWS::Events::Rule").Single(r => (string?)r.Properties["Name"] == rule.Name).LogicalId;
            var policy = Model.OfType("AWS::SQS::QueuePolicy")
                .Single(p => TemplateModel.ReferencedLogicalIds(p.Properties["Queues"]).Contains(queueId)).Properties;

            var statements = policy["PolicyDocument"]!["Statement"]!.AsArray()
                .Where(s => TemplateModel.Strings(s!["Action"]!).Contains("sqs:SendMessage"))
                .ToDictionary(s => (string)s!["Effect"]!);
            Assert.Equal("events.amazonaws.com", (string?)statements["Allow"]!["Principal"]!["Service"]);
            Assert.Equal("events.amazonaws.com", (string?)statements["Deny"]!["Principal"]!["Service"]);
            Assert.Equal(ruleId, TemplateModel.GetAttTarget(statements["Deny"]!["Condition"]!["ArnNotEquals"]!["aws:SourceArn"]!));
        }
    }

    [Fact]
    public void Each_work_queue_moves_a_message_to_its_dead_letter_queue_after_five_receives()
    {
        foreach (var queue in HealthFlowTopology.Queues.All)
        {
            var properties = Model.Resource(Model.QueueId(queue.Name))["Properties"]!;
            var redrive = properties["RedrivePolicy"]!;
            Assert.Equal(5, (int)redrive["maxReceiveCount"]!);
            Assert.Equal(Model.QueueId(queue.DeadLetterQueueName), TemplateModel.GetAttTarget(redrive["deadLetterTargetArn"]!));
            Assert.Equal(queue.VisibilityTimeout.TotalSeconds, (int)properties["VisibilityTimeout"]!);

            var deadLetters = Model.Resource(Model.QueueId(queue.DeadLetterQueueName))["Properties"]!;
            Assert.Null(deadLetters["RedrivePolicy"]);
            // A DLQ accepts dead letters from its own work queue only.
            var allow = deadLetters["RedriveAllowPolicy"]!;
            Assert.Equal("byQueue", (string?)allow["redrivePermission"]);
            var sourceArn = Assert.Single(allow["sourceQueueArns"]!.AsArray())!.ToJsonString();
            Assert.Contains($":{queue.Name}\"", sourceArn, StringComparison.Ordinal);
            Assert.True((int)deadLetters["MessageRetentionPeriod"]! > queue.MessageRetention.TotalSeconds, "DLQs keep messages longer than work queues");
        }
    }

    [Fact]
    public void Every_queue_is_encrypted_with_the_messaging_key_and_refuses_plain_http()
    {
        var queues = Model.OfType("AWS::SQS::Queue").ToArray();
        Assert.Equal((HealthFlowTopology.Queues.All.Count * 2) + 1, queues.Length);
        foreach (var (queueId, properties) in queues)
        {
            Assert.Equal(Model.KeyId("MessagingKey"), TemplateModel.GetAttTarget(properties["KmsMasterKeyId"]!));

            var policy = Model.OfType("AWS::SQS::QueuePolicy")
                .Single(p => TemplateModel.ReferencedLogicalIds(p.Properties["Queues"]).Contains(queueId)).Properties;
            Assert.Contains(policy["PolicyDocument"]!["Statement"]!.AsArray(), s =>
                (string?)s!["Effect"] == "Deny"
                && (string?)s["Condition"]?["Bool"]?["aws:SecureTransport"] == "false");
        }
    }

    [Fact]
    public void A_message_in_a_dead_letter_queue_or_an_old_message_in_a_work_queue_raises_an_alarm()
    {
        var alarms = Model.OfType("AWS::CloudWatch::Alarm").Select(a => a.Properties).ToArray();
        foreach (var queue in HealthFlowTopology.Queues.All)
        {
            var dlq = Assert.Single(alarms, a => (string?)a["MetricName"] == "ApproximateNumberOfMessagesVisible"
                && TemplateModel.ReferencedLogicalIds(a["Dimensions"]).SetEquals([Model.QueueId(queue.DeadLetterQueueName)]));
            Assert.Equal(0, (double)dlq["Threshold"]!);
            Assert.Equal("GreaterThanThreshold", (string?)dlq["ComparisonOperator"]);

            var age = Assert.Single(alarms, a => (string?)a["MetricName"] == "ApproximateAgeOfOldestMessage"
                && TemplateModel.ReferencedLogicalIds(a["Dimensions"]).SetEquals([Model.QueueId(queue.Name)]));
            Assert.Equal(OperationalAlarms.MaxMessageAgeOf(queue).ToSeconds(), (double)age["Threshold"]!);

            AssertNonEmpty.All(new[] { dlq, age }, a => Assert.NotEmpty(a["AlarmActions"]!.AsArray()));
        }
    }

    [Fact]
    public void Every_rule_target_retries_then_keeps_what_it_cannot_deliver_in_the_delivery_dlq()
    {
        var deliveryDlq = Model.QueueId(HealthFlowTopology.Delivery.DeadLetterQueueName);
        var rules = Model.OfType("AWS::Events::Rule").ToArray();
        Assert.Equal(HealthFlowTopology.Rules.All.Count, rules.Length);
        foreach (var (_, rule) in rules)
        {
            var target = Assert.Single(rule["Targets"]!.AsArray())!;
            Assert.Equal(deliveryDlq, TemplateModel.GetAttTarget(target["DeadLetterConfig"]!["Arn"]!));
            Assert.Equal(HealthFlowTopology.Delivery.MaximumRetryAttempts, (int)target["RetryPolicy"]!["MaximumRetryAttempts"]!);
            Assert.Equal(HealthFlowTopology.Delivery.MaximumEventAge.TotalSeconds, (int)target["RetryPolicy"]!["MaximumEventAgeInSeconds"]!);
        }
    }

    [Fact]
    public void A_failed_invocation_of_any_rule_or_an_event_in_the_delivery_dlq_raises_an_alarm()
    {
        var alarms = Model.OfType("AWS::CloudWatch::Alarm").Select(a => a.Properties).ToArray();
        foreach (var rule in HealthFlowTopology.Rules.All)
        {
            var failed = Assert.Single(alarms, a => (string?)a["MetricName"] == "FailedInvocations"
                && a["Dimensions"]!.AsArray().Any(d => (string?)d!["Name"] == "RuleName" && (string?)d["Value"] == rule.Name));
            Assert.Equal("AWS/Events", (string?)failed["Namespace"]);
            Assert.NotEmpty(failed["AlarmActions"]!.AsArray());
        }

        Assert.Single(alarms, a => (string?)a["MetricName"] == "ApproximateNumberOfMessagesVisible"
            && TemplateModel.ReferencedLogicalIds(a["Dimensions"]).SetEquals([Model.QueueId(HealthFlowTopology.Delivery.DeadLetterQueueName)]));
    }
}
