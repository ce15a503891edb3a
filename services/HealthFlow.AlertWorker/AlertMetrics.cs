using System.Diagnostics.Metrics;

namespace HealthFlow.AlertWorker;

/// <summary>alert-worker's meter; ServiceDefaults exports every "HealthFlow.*" meter.</summary>
public sealed class AlertMetrics
{
    public const string MeterName = "HealthFlow.Alerts";

    private readonly Counter<long> _alertsRaised;
    private readonly Counter<long> _duplicatesSkipped;
    private readonly Counter<long> _alertsEscalated;

    public AlertMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _alertsRaised = meter.CreateCounter<long>("healthflow.alerts.raised", "{alert}", "Alerts raised, by severity and rule.");
        _duplicatesSkipped = meter.CreateCounter<long>(
            "healthflow.alerts.duplicates_skipped", "{alert}", "Alerts not raised again because a redelivered observation had raised them already.");
        _alertsEscalated = meter.CreateCounter<long>(
            "healthflow.alerts.escalated", "{alert}", "Alerts escalated because nobody acknowledged them by their deadline, by severity.");
    }

    public void AlertEscalated(string severity) =>
        _alertsEscalated.Add(1, new KeyValuePair<string, object?>("severity", severity));

    public void AlertRaised(string severity, string rule) =>
        _alertsRaised.Add(1, new KeyValuePair<string, object?>("severity", severity), new KeyValuePair<string, object?>("rule", rule));

    public void DuplicateSkipped(string rule) =>
        _duplicatesSkipped.Add(1, new KeyValuePair<string, object?>("rule", rule));
}
