using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace HealthFlow.Notifier;

/// <summary>notifier's spans and meter; ServiceDefaults exports every "HealthFlow.*" source and meter.</summary>
public sealed class NotifierMetrics
{
    public const string Name = "HealthFlow.Notifier";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _notifications;

    public NotifierMetrics(IMeterFactory meterFactory)
    {
        _notifications = meterFactory.Create(Name).CreateCounter<long>(
            "healthflow.notifications", "{notification}",
            "Notifications by kind, channel and outcome (sent, duplicate, held, failed). failed is a refused or unreachable mail server; the event is retried, and dead-lettered after the last attempt.");
    }

    public void Counted(string kind, string channel, string outcome) => _notifications.Add(1,
        new KeyValuePair<string, object?>("kind", kind),
        new KeyValuePair<string, object?>("channel", channel),
        new KeyValuePair<string, object?>("outcome", outcome));
}
