using System.Collections.Immutable;

namespace HealthFlow.LocalAws.EventBridge;

/// <summary>A target; <paramref name="DeadLetterArn"/> receives what cannot be delivered (the retry policy is kept for ListTargetsByRule).</summary>
internal sealed record RuleTarget(string Id, string Arn, string? Input, string? InputPath, string? DeadLetterArn = null, RetryPolicyModel? RetryPolicy = null);

/// <summary>A rule as stored: immutable, replaced whole on change so routing reads it without locks.</summary>
internal sealed record EventRule(
    string Name,
    string Arn,
    string EventBusName,
    string EventPatternText,
    EventPattern Pattern,
    bool Enabled,
    string? Description,
    ImmutableSortedDictionary<string, RuleTarget> Targets);

internal sealed class EventBus(string name, string arn, string? description)
{
    public string Name { get; } = name;
    public string Arn { get; } = arn;
    public string? Description { get; } = description;
    public DateTimeOffset CreationTime { get; } = DateTimeOffset.UtcNow;

    /// <summary>Swapped under the registry lock; read freely by PutEvents.</summary>
    public volatile ImmutableSortedDictionary<string, EventRule> Rules = ImmutableSortedDictionary.Create<string, EventRule>(StringComparer.Ordinal);
}

/// <summary>Buses and their rules. Writes are serialised by one lock (control plane); reads take immutable snapshots.</summary>
internal sealed class EventBusRegistry
{
    public const string DefaultBusName = "default";
    private const string BusArnMarker = ":event-bus/";

    private readonly Lock _gate = new();
    private readonly LocalAwsOptions _options;
    private ImmutableSortedDictionary<string, EventBus> _buses;

    public EventBusRegistry(LocalAwsOptions options)
    {
        _options = options;
        _buses = ImmutableSortedDictionary.Create<string, EventBus>(StringComparer.Ordinal)
            .Add(DefaultBusName, new EventBus(DefaultBusName, BusArn(DefaultBusName), null));
    }

    public ImmutableSortedDictionary<string, EventBus> Buses => Volatile.Read(ref _buses);

    public string BusArn(string name) => $"arn:aws:events:{_options.Region}:{LocalAwsOptions.AccountId}:event-bus/{name}";

    public string RuleArn(string busName, string ruleName) => busName == DefaultBusName
        ? $"arn:aws:events:{_options.Region}:{LocalAwsOptions.AccountId}:rule/{ruleName}"
        : $"arn:aws:events:{_options.Region}:{LocalAwsOptions.AccountId}:rule/{busName}/{ruleName}";

    /// <summary>Accepts a bus name or ARN; null means the default bus.</summary>
    public static string BusNameOf(string? nameOrArn)
    {
        if (string.IsNullOrEmpty(nameOrArn))
            return DefaultBusName;
        int marker = nameOrArn.IndexOf(BusArnMarker, StringComparison.Ordinal);
        return nameOrArn.StartsWith("arn:", StringComparison.Ordinal) && marker >= 0 ? nameOrArn[(marker + BusArnMarker.Length)..] : nameOrArn;
    }

    public bool TryGet(string? nameOrArn, out EventBus bus) => Buses.TryGetValue(BusNameOf(nameOrArn), out bus!);

    public EventBus Create(string name, string? description)
    {
        lock (_gate)
        {
            if (_buses.ContainsKey(name))
                throw EventBridgeErrors.ResourceAlreadyExists($"Event bus {name} already exists.");
            var bus = new EventBus(name, BusArn(name), description);
            Volatile.Write(ref _buses, _buses.Add(name, bus));
            return bus;
        }
    }

    public void Delete(string name)
    {
        lock (_gate)
            Volatile.Write(ref _buses, _buses.Remove(name));
    }

    /// <summary>Applies <paramref name="change"/> to the bus's rules atomically with respect to other writers.</summary>
    public T UpdateRules<T>(EventBus bus, Func<ImmutableSortedDictionary<string, EventRule>, (ImmutableSortedDictionary<string, EventRule> Rules, T Result)> change)
    {
        lock (_gate)
        {
            var (rules, result) = change(bus.Rules);
            bus.Rules = rules;
            return result;
        }
    }
}
