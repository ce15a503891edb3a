using System.Diagnostics.Metrics;

namespace HealthFlow.Command.Api;

/// <summary>command-api's meter; ServiceDefaults exports every "HealthFlow.*" meter.</summary>
public sealed class CommandMetrics
{
    public const string MeterName = "HealthFlow.Commands";

    private readonly Counter<long> _observationsAccepted;
    private readonly Counter<long> _alertsAcknowledged;

    public CommandMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _observationsAccepted = meter.CreateCounter<long>(
            "healthflow.observations.accepted", "{observation}", "Check-ins accepted and appended to the event store.");
        _alertsAcknowledged = meter.CreateCounter<long>(
            "healthflow.alerts.acknowledged", "{alert}", "Alerts acknowledged by clinicians.");
    }

    public void ObservationAccepted() => _observationsAccepted.Add(1);

    public void AlertAcknowledged() => _alertsAcknowledged.Add(1);
}
