using System.Globalization;
using System.Text.Json;

namespace HealthFlow.LocalAws.Sqs;

/// <summary>The settable attributes of a queue, validated as AWS does. Immutable: a change swaps the whole set.</summary>
internal sealed record QueueSettings
{
    public int VisibilityTimeout { get; init; } = 30;
    public int MessageRetentionPeriod { get; init; } = 345_600;
    public int DelaySeconds { get; init; }
    public int MaximumMessageSize { get; init; } = 262_144;
    public int ReceiveMessageWaitTimeSeconds { get; init; }
    public RedrivePolicy? RedrivePolicy { get; init; }

    /// <summary>Other accepted attributes (Policy, RedriveAllowPolicy, SSE settings), kept verbatim and echoed back.</summary>
    public IReadOnlyDictionary<string, string> Passthrough { get; init; } = new Dictionary<string, string>();

    private static readonly HashSet<string> PassthroughNames = new(StringComparer.Ordinal)
    {
        "Policy", "RedriveAllowPolicy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled",
    };

    public static readonly IReadOnlySet<string> ReadOnlyNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
        "CreatedTimestamp", "LastModifiedTimestamp", "QueueArn",
    };

    /// <summary>Applies <paramref name="attributes"/> on top of this set; throws the AWS error for a bad one.</summary>
    public QueueSettings With(IReadOnlyDictionary<string, string>? attributes, Func<string, bool> queueArnExists)
    {
        if (attributes is null || attributes.Count == 0)
            return this;

        var result = this;
        Dictionary<string, string>? passthrough = null;
        foreach (var (name, value) in attributes)
        {
            switch (name)
            {
                case "VisibilityTimeout":
                    result = result with { VisibilityTimeout = Range(name, value, 0, 43_200) };
                    break;
                case "MessageRetentionPeriod":
                    result = result with { MessageRetentionPeriod = Range(name, value, 60, 1_209_600) };
                    break;
                case "DelaySeconds":
                    result = result with { DelaySeconds = Range(name, value, 0, 900) };
                    break;
                case "MaximumMessageSize":
                    result = result with { MaximumMessageSize = Range(name, value, 1_024, 262_144) };
                    break;
                case "ReceiveMessageWaitTimeSeconds":
                    result = result with { ReceiveMessageWaitTimeSeconds = Range(name, value, 0, 20) };
                    break;
                case "RedrivePolicy":
                    result = result with { RedrivePolicy = string.IsNullOrEmpty(value) ? null : RedrivePolicy.Parse(value, queueArnExists) };
                    break;
                case "FifoQueue" when string.Equals(value, "false", StringComparison.OrdinalIgnoreCase):
                    break;
                case "FifoQueue" or "ContentBasedDeduplication" or "DeduplicationScope" or "FifoThroughputLimit":
                    throw SqsErrors.UnsupportedOperation("FIFO queues are not supported by LocalAws.");
                default:
                    if (!PassthroughNames.Contains(name))
                        throw SqsErrors.InvalidAttributeName(name);
                    // Echoed by GetQueueAttributes, also in XML.
                    if (!SqsCharacters.AreValid(value))
                        throw SqsErrors.InvalidAttributeValue(name, "Invalid characters found. " + SqsCharacters.Allowed + ".");
                    passthrough ??= new Dictionary<string, string>(result.Passthrough, StringComparer.Ordinal);
                    passthrough[name] = value;
                    break;
            }
        }

        return passthrough is null ? result : result with { Passthrough = passthrough };
    }

    /// <summary>The attribute values as GetQueueAttributes reports them.</summary>
    public void WriteTo(IDictionary<string, string> attributes)
    {
        attributes["VisibilityTimeout"] = Text(VisibilityTimeout);
        attributes["MessageRetentionPeriod"] = Text(MessageRetentionPeriod);
        attributes["DelaySeconds"] = Text(DelaySeconds);
        attributes["MaximumMessageSize"] = Text(MaximumMessageSize);
        attributes["ReceiveMessageWaitTimeSeconds"] = Text(ReceiveMessageWaitTimeSeconds);
        if (RedrivePolicy is not null)
            attributes["RedrivePolicy"] = RedrivePolicy.Json;
        attributes["SqsManagedSseEnabled"] = "false";
        foreach (var (name, value) in Passthrough)
            attributes[name] = value;
    }

    /// <summary>CreateQueue on an existing queue succeeds only when every given attribute already has that value.</summary>
    public bool Agrees(IReadOnlyDictionary<string, string>? attributes)
    {
        if (attributes is null)
            return true;
        var current = new Dictionary<string, string>(StringComparer.Ordinal);
        WriteTo(current);
        foreach (var (name, value) in attributes)
        {
            if (!current.TryGetValue(name, out var existing))
                return false;
            bool same = name == "RedrivePolicy"
                ? RedrivePolicy is not null && RedrivePolicy.Equals(RedrivePolicy.Parse(value, _ => true))
                : string.Equals(existing, value, StringComparison.Ordinal);
            if (!same)
                return false;
        }

        return true;
    }

    private static int Range(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
            throw SqsErrors.InvalidAttributeValue(name, $"Must be an integer from {min} to {max}.");
        return number;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Where messages go after <see cref="MaxReceiveCount"/> receives.</summary>
internal sealed record RedrivePolicy(string DeadLetterTargetArn, int MaxReceiveCount)
{
    public string Json => JsonSerializer.Serialize(
        new RedrivePolicyDocument { DeadLetterTargetArn = DeadLetterTargetArn, MaxReceiveCount = MaxReceiveCount },
        SqsJsonContext.Default.RedrivePolicyDocument);

    public static RedrivePolicy Parse(string json, Func<string, bool> queueArnExists)
    {
        RedrivePolicyDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, SqsJsonContext.Default.RedrivePolicyDocument);
        }
        catch (JsonException)
        {
            throw SqsErrors.InvalidAttributeValue("RedrivePolicy", "Redrive policy is not a valid JSON map.");
        }

        if (document?.DeadLetterTargetArn is not { Length: > 0 } arn)
            throw SqsErrors.InvalidAttributeValue("RedrivePolicy", "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
        if (document.MaxReceiveCount is not { } count)
            throw SqsErrors.InvalidAttributeValue("RedrivePolicy", "Redrive policy does not contain mandatory attribute: maxReceiveCount.");
        if (count is < 1 or > 1000)
            throw SqsErrors.InvalidAttributeValue("RedrivePolicy", "Value for maxReceiveCount must be from 1 to 1000.");
        if (!queueArnExists(arn))
            throw SqsErrors.InvalidAttributeValue("RedrivePolicy", "Dead letter target does not exist.");
        return new RedrivePolicy(arn, count);
    }
}
