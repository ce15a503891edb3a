using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SNS.Subscriptions;
using Constructs;
using HealthFlow.Aws.Topology;

namespace HealthFlow.Cdk.Constructs;

/// <summary>
/// The two signals that something is stuck in the event flow: a message in a DLQ (a handler
/// failed five times) and a work queue whose oldest message is getting old (consumers down
/// or not keeping up). Both notify one SNS topic.
/// </summary>
public sealed class OperationalAlarms : Construct
{
    /// <summary>
    /// A healthy message is consumed in well under a second, and a failing one reaches its DLQ after
    /// maxReceiveCount × visibility timeout (2.5 min). Older than this, consumers are down or behind.
    /// </summary>
    public static readonly Duration MaxMessageAge = Duration.Minutes(5);

    public OperationalAlarms(Construct scope, string id, EventRouting routing, IKey encryptionKey, string? notificationEmail) : base(scope, id)
    {
        Topic = new Topic(this, "Topic", new TopicProps { DisplayName = "HealthFlow alarms", EnforceSSL = true, MasterKey = encryptionKey });
        // A topic policy replaces SNS's default one, so CloudWatch needs its own statement. Adding it is also
        // what makes the CDK write the policy with EnforceSSL's deny of plain-HTTP publishing.
        var stack = Stack.Of(this);
        Topic.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Principals = [new ServicePrincipal("cloudwatch.amazonaws.com")],
            Actions = ["sns:Publish"],
            Resources = [Topic.TopicArn],
            Conditions = new Dictionary<string, object>
            {
                ["ArnLike"] = new Dictionary<string, object> { ["aws:SourceArn"] = $"arn:{stack.Partition}:cloudwatch:{stack.Region}:{stack.Account}:alarm:*" },
            },
        }));
        if (notificationEmail is { Length: > 0 })
        {
            Topic.AddSubscription(new EmailSubscription(notificationEmail));
        }

        var notify = new SnsAction(Topic);
        foreach (var queue in HealthFlowTopology.Queues.All)
        {
            var deadLetters = routing.DeadLetterQueue(queue).MetricApproximateNumberOfMessagesVisible(new MetricOptions
            {
                Period = Duration.Minutes(1),
                Statistic = Stats.MAXIMUM,
            }).CreateAlarm(this, $"{queue.DeadLetterQueueName}-not-empty", new CreateAlarmOptions
            {
                AlarmDescription = $"Messages in {queue.DeadLetterQueueName}: a handler failed {queue.MaxReceiveCount} times. Inspect, fix, then `healthflow redrive`.",
                Threshold = 0,
                ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
                EvaluationPeriods = 1,
                TreatMissingData = TreatMissingData.NOT_BREACHING,
            });
            deadLetters.AddAlarmAction(notify);

            var oldest = routing.WorkQueue(queue).MetricApproximateAgeOfOldestMessage(new MetricOptions
            {
                Period = Duration.Minutes(1),
                Statistic = Stats.MAXIMUM,
            }).CreateAlarm(this, $"{queue.Name}-message-age", new CreateAlarmOptions
            {
                AlarmDescription = $"The oldest message in {queue.Name} is older than {MaxMessageAge.ToMinutes()} minutes: its consumers are down or behind.",
                Threshold = MaxMessageAge.ToSeconds(),
                ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
                EvaluationPeriods = 2,
                TreatMissingData = TreatMissingData.NOT_BREACHING,
            });
            oldest.AddAlarmAction(notify);
            oldest.AddOkAction(notify);
        }

        AlarmOnDeliveryFailures(routing, notify);
        AlarmOnOutboxBacklog(notify);
    }

    /// <summary>The outbox-pending metric (exported by each task's collector), as CloudWatch names it.</summary>
    public const string OutboxPendingMetric = "healthflow.outbox.pending";

    /// <summary>
    /// Commits stored but not published: normally a few, for a moment, between an append and its publish. If every
    /// sample for five minutes shows some, the relays are not getting them out (EventBridge refusing, relays down).
    /// </summary>
    private void AlarmOnOutboxBacklog(SnsAction notify)
    {
        var backlog = new Metric(new MetricProps
        {
            Namespace = TelemetryCollector.MetricsNamespace,
            MetricName = OutboxPendingMetric,
            Period = Duration.Minutes(1),
            Statistic = Stats.MINIMUM,
        }).CreateAlarm(this, "outbox-pending", new CreateAlarmOptions
        {
            AlarmDescription = "Commits have stayed unpublished in the outbox for five minutes: events are not reaching EventBridge. Check the relays' logs and PutEvents errors.",
            Threshold = 0,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
            EvaluationPeriods = 5,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        backlog.AddAlarmAction(notify);
        backlog.AddOkAction(notify);
    }

    /// <summary>
    /// EventBridge accepted an event (the outbox mark is already cleared) but could not deliver it to a rule's
    /// target: FailedInvocations per rule, and anything in the targets' DLQ.
    /// </summary>
    private void AlarmOnDeliveryFailures(EventRouting routing, SnsAction notify)
    {
        foreach (var rule in HealthFlowTopology.Rules.All)
        {
            var failed = new Metric(new MetricProps
            {
                Namespace = "AWS/Events",
                MetricName = "FailedInvocations",
                DimensionsMap = new Dictionary<string, string> { ["EventBusName"] = rule.EventBusName, ["RuleName"] = rule.Name },
                Period = Duration.Minutes(1),
                Statistic = Stats.SUM,
            }).CreateAlarm(this, $"{rule.Name}-failed-invocations", new CreateAlarmOptions
            {
                AlarmDescription = $"EventBridge could not deliver events of rule {rule.Name} to {rule.Target.Name}; after retries they go to {rule.Delivery.DeadLetterQueueName}.",
                Threshold = 0,
                ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
                EvaluationPeriods = 1,
                TreatMissingData = TreatMissingData.NOT_BREACHING,
            });
            failed.AddAlarmAction(notify);
        }

        var deadLettered = routing.DeliveryDeadLetterQueue.MetricApproximateNumberOfMessagesVisible(new MetricOptions
        {
            Period = Duration.Minutes(1),
            Statistic = Stats.MAXIMUM,
        }).CreateAlarm(this, $"{HealthFlowTopology.Delivery.DeadLetterQueueName}-not-empty", new CreateAlarmOptions
        {
            AlarmDescription = $"Events in {HealthFlowTopology.Delivery.DeadLetterQueueName}: EventBridge gave up delivering them to a rule's queue. Fix the target, then send them on to it.",
            Threshold = 0,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
            EvaluationPeriods = 1,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        deadLettered.AddAlarmAction(notify);
    }

    public Topic Topic { get; }
}
