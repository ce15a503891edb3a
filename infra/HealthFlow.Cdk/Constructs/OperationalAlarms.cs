using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SNS.Subscriptions;
using Constructs;
using HealthFlow.Topology;

namespace HealthFlow.Cdk.Constructs;

/// <summary>
/// The signals that something is stuck in the event flow: a message in a DLQ (a handler failed
/// five times), a work queue whose oldest message is getting old (consumers down or behind),
/// EventBridge failing to deliver to a rule's target, and commits stuck in the outbox. All
/// notify one SNS topic.
/// </summary>
public sealed class OperationalAlarms : Construct
{
    /// <summary>
    /// A healthy message is consumed in well under a second, and a failing one reaches its DLQ after
    /// maxReceiveCount × visibility timeout (2.5 min). Older than this, consumers are down or behind.
    /// </summary>
    public static readonly Duration MaxMessageAge = Duration.Minutes(5);

    /// <summary>
    /// The age alarm of one queue. A deadline on alert-escalation or check-in-deadlines is sent up to 15 minutes
    /// ahead, and a delayed message may count towards the oldest age while it waits, so those queues are allowed
    /// their delay on top.
    /// </summary>
    public static Duration MaxMessageAgeOf(QueueDefinition queue) =>
        queue == HealthFlowTopology.Queues.AlertEscalation || queue == HealthFlowTopology.Queues.CheckInDeadlines
            ? Duration.Seconds(MaxMessageAge.ToSeconds() + HealthFlowTopology.Queues.MaxDelay.TotalSeconds)
            : MaxMessageAge;

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

        _notify = new SnsAction(Topic);
        foreach (var queue in HealthFlowTopology.Queues.All)
        {
            AlarmAbove(
                routing.DeadLetterQueue(queue).MetricApproximateNumberOfMessagesVisible(EveryMinute(Stats.MAXIMUM)),
                $"{queue.DeadLetterQueueName}-not-empty",
                $"Messages in {queue.DeadLetterQueueName}: a handler failed {queue.MaxReceiveCount} times. Inspect, fix, then `healthflow redrive`.");
            AlarmAbove(
                routing.WorkQueue(queue).MetricApproximateAgeOfOldestMessage(EveryMinute(Stats.MAXIMUM)),
                $"{queue.Name}-message-age",
                $"The oldest message in {queue.Name} is older than {MaxMessageAgeOf(queue).ToMinutes()} minutes: its consumers are down or behind.",
                threshold: MaxMessageAgeOf(queue).ToSeconds(),
                periods: 2,
                notifyRecovery: true);
        }

        AlarmOnDeliveryFailures(routing);
        AlarmOnOutboxBacklog();
    }

    /// <summary>The outbox-pending metric (exported by each task's collector), as CloudWatch names it.</summary>
    public const string OutboxPendingMetric = "healthflow.outbox.pending";

    /// <summary>
    /// Commits stored but not published: normally a few, for a moment, between an append and its publish. If every
    /// sample for five minutes shows some, the relays are not getting them out (EventBridge refusing, relays down).
    /// </summary>
    private void AlarmOnOutboxBacklog() =>
        AlarmAbove(
            new Metric(new MetricProps
            {
                Namespace = TelemetryCollector.MetricsNamespace,
                MetricName = OutboxPendingMetric,
                Period = Duration.Minutes(1),
                Statistic = Stats.MINIMUM,
            }),
            "outbox-pending",
            "Commits have stayed unpublished in the outbox for five minutes: events are not reaching EventBridge. Check the relays' logs and PutEvents errors.",
            periods: 5,
            notifyRecovery: true);

    /// <summary>
    /// EventBridge accepted an event (the outbox mark is already cleared) but could not deliver it to a rule's
    /// target: FailedInvocations per rule, and anything in the targets' DLQ.
    /// </summary>
    private void AlarmOnDeliveryFailures(EventRouting routing)
    {
        foreach (var rule in HealthFlowTopology.Rules.All)
        {
            AlarmAbove(
                new Metric(new MetricProps
                {
                    Namespace = "AWS/Events",
                    MetricName = "FailedInvocations",
                    DimensionsMap = new Dictionary<string, string> { ["EventBusName"] = rule.EventBusName, ["RuleName"] = rule.Name },
                    Period = Duration.Minutes(1),
                    Statistic = Stats.SUM,
                }),
                $"{rule.Name}-failed-invocations",
                $"EventBridge could not deliver events of rule {rule.Name} to {rule.Target.Name}; after retries they go to {rule.Delivery.DeadLetterQueueName}.");
        }

        AlarmAbove(
            routing.DeliveryDeadLetterQueue.MetricApproximateNumberOfMessagesVisible(EveryMinute(Stats.MAXIMUM)),
            $"{HealthFlowTopology.Delivery.DeadLetterQueueName}-not-empty",
            $"Events in {HealthFlowTopology.Delivery.DeadLetterQueueName}: EventBridge gave up delivering them to a rule's queue. Fix the target, then send them on to it.");
    }

    private static MetricOptions EveryMinute(string statistic) => new() { Period = Duration.Minutes(1), Statistic = statistic };

    // Every HealthFlow alarm has the same shape: above a threshold for some minutes, missing data is fine, one topic.
    private void AlarmAbove(IMetric metric, string id, string description, double threshold = 0, int periods = 1, bool notifyRecovery = false)
    {
        var alarm = new Alarm(this, id, new AlarmProps
        {
            Metric = metric,
            AlarmDescription = description,
            Threshold = threshold,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
            EvaluationPeriods = periods,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        alarm.AddAlarmAction(_notify);
        if (notifyRecovery)
            alarm.AddOkAction(_notify);
    }

    private readonly SnsAction _notify;

    public Topic Topic { get; }
}
