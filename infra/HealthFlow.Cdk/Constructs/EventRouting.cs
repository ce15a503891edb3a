using Amazon.CDK;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.SQS;
using Constructs;
using HealthFlow.Topology;
using SqsQueue = Amazon.CDK.AWS.Events.Targets.SqsQueue;
using SqsQueueProps = Amazon.CDK.AWS.Events.Targets.SqsQueueProps;

namespace HealthFlow.Cdk.Constructs;

/// <summary>
/// The EventBridge bus, and for every rule of the topology its SQS work queue and DLQ.
/// Queues are encrypted with the customer-managed messaging key (EventBridge cannot send to a queue
/// under the AWS-managed SQS key); each rule's target grants EventBridge the use of the key.
/// </summary>
public sealed class EventRouting : Construct
{
    /// <summary>SQS's maximum, so a poisoned message is kept long enough to be investigated and redriven.</summary>
    public static readonly Duration DeadLetterRetention = Duration.Days(14);

    private readonly Dictionary<string, Queue> _queues = [];
    private readonly Dictionary<string, Queue> _deadLetterQueues = [];
    private readonly Dictionary<string, Queue> _byName = [];
    private readonly Dictionary<string, Rule> _rules = [];

    public EventRouting(Construct scope, string id, Amazon.CDK.AWS.KMS.IKey encryptionKey) : base(scope, id)
    {
        EncryptionKey = encryptionKey;
        Bus = new EventBus(this, "Bus", new EventBusProps { EventBusName = HealthFlowTopology.EventBusName });

        foreach (var definition in HealthFlowTopology.Queues.All)
        {
            var deadLetters = new Queue(this, definition.DeadLetterQueueName, new QueueProps
            {
                QueueName = definition.DeadLetterQueueName,
                Encryption = QueueEncryption.KMS,
                EncryptionMasterKey = encryptionKey,
                EnforceSSL = true,
                RetentionPeriod = DeadLetterRetention,
                // Dead letters come from this DLQ's own work queue only. The ARN is built from the name:
                // referencing the queue itself would make a cycle (its redrive policy references this DLQ).
                RedriveAllowPolicy = new RedriveAllowPolicy
                {
                    RedrivePermission = RedrivePermission.BY_QUEUE,
                    SourceQueues = [Queue.FromQueueArn(this, definition.Name + "-source", Stack.Of(this).FormatArn(new ArnComponents
                    {
                        Service = "sqs",
                        Resource = definition.Name,
                    }))],
                },
            });

            var queue = new Queue(this, definition.Name, new QueueProps
            {
                QueueName = definition.Name,
                Encryption = QueueEncryption.KMS,
                EncryptionMasterKey = encryptionKey,
                EnforceSSL = true,
                VisibilityTimeout = Duration.Seconds(definition.VisibilityTimeout.TotalSeconds),
                RetentionPeriod = Duration.Seconds(definition.MessageRetention.TotalSeconds),
                DeadLetterQueue = new DeadLetterQueue { Queue = deadLetters, MaxReceiveCount = definition.MaxReceiveCount },
            });

            _queues.Add(definition.Name, queue);
            _deadLetterQueues.Add(definition.Name, deadLetters);
            _byName.Add(definition.Name, queue);
            _byName.Add(definition.DeadLetterQueueName, deadLetters);
        }

        // What EventBridge could not deliver to a target after its retries (HealthFlowTopology.Delivery).
        var delivery = HealthFlowTopology.Delivery;
        DeliveryDeadLetterQueue = new Queue(this, delivery.DeadLetterQueueName, new QueueProps
        {
            QueueName = delivery.DeadLetterQueueName,
            Encryption = QueueEncryption.KMS,
            EncryptionMasterKey = encryptionKey,
            EnforceSSL = true,
            RetentionPeriod = DeadLetterRetention,
            // EventBridge fills it, not SQS redrive: no queue may use it as its DLQ.
            RedriveAllowPolicy = new RedriveAllowPolicy { RedrivePermission = RedrivePermission.DENY_ALL },
        });
        _byName.Add(delivery.DeadLetterQueueName, DeliveryDeadLetterQueue);

        foreach (var definition in HealthFlowTopology.Rules.All)
        {
            if (definition.EventBusName != HealthFlowTopology.EventBusName)
            {
                throw new InvalidOperationException($"Rule {definition.Name} targets bus {definition.EventBusName}, which the stack does not create.");
            }

            var rule = new Rule(this, definition.Name, new RuleProps
            {
                RuleName = definition.Name,
                EventBus = Bus,
                // Satisfies the L2 construct's validation; the topology's full pattern replaces it below.
                EventPattern = new EventPattern { DetailType = [.. definition.DetailTypes] },
                // The SqsQueue target also writes the queue policies that let only this rule send, to the queue and to the DLQ.
                Targets =
                [
                    new SqsQueue(_queues[definition.Target.Name], new SqsQueueProps
                    {
                        DeadLetterQueue = DeliveryDeadLetterQueue,
                        RetryAttempts = definition.Delivery.MaximumRetryAttempts,
                        MaxEventAge = Duration.Seconds(definition.Delivery.MaximumEventAge.TotalSeconds),
                    }),
                ],
            });
            _rules.Add(definition.Name, rule);
            ((Amazon.CDK.AWS.Events.CfnRule)rule.Node.DefaultChild!).AddPropertyOverride("EventPattern", JsiiJson.Parse(definition.EventPattern));

            // For a queue under a customer key the target's Allow names only the account (naming the rule would make
            // the CDK's key policy circular), so this Deny keeps every other rule of the account out.
            _queues[definition.Target.Name].AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
            {
                Effect = Effect.DENY,
                Principals = [new ServicePrincipal("events.amazonaws.com")],
                Actions = ["sqs:SendMessage"],
                Resources = [_queues[definition.Target.Name].QueueArn],
                Conditions = new Dictionary<string, object>
                {
                    ["ArnNotEquals"] = new Dictionary<string, object> { ["aws:SourceArn"] = rule.RuleArn },
                },
            }));
        }
    }

    public EventBus Bus { get; }

    /// <summary>Every rule target's dead-letter queue: events EventBridge accepted but could not deliver.</summary>
    public Queue DeliveryDeadLetterQueue { get; }

    public Rule RuleFor(RuleDefinition definition) => _rules[definition.Name];

    /// <summary>The customer-managed key of every queue.</summary>
    public Amazon.CDK.AWS.KMS.IKey EncryptionKey { get; }

    /// <summary>A work queue or a DLQ, by its topology name.</summary>
    public Queue QueueNamed(string name) =>
        _byName.TryGetValue(name, out var queue) ? queue : throw new InvalidOperationException($"The stack has no queue {name}.");

    public Queue WorkQueue(QueueDefinition definition) => _queues[definition.Name];

    /// <summary>
    /// What the SQS consumer host needs: receive, delete and extend visibility on the work queue, and
    /// read the depth of its DLQ for the dead-letter gauge (metadata only: no receive, no delete).
    /// </summary>
    public void GrantConsume(QueueDefinition definition, Amazon.CDK.AWS.IAM.IGrantable consumer)
    {
        WorkQueue(definition).GrantConsumeMessages(consumer);
        DeadLetterQueue(definition).Grant(consumer, "sqs:GetQueueUrl", "sqs:GetQueueAttributes");
    }

    public Queue DeadLetterQueue(QueueDefinition definition) => _deadLetterQueues[definition.Name];
}
