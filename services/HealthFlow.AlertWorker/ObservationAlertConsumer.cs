using HealthFlow.Aws.EventStore;
using HealthFlow.Aws.Messaging;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using MassTransit;
using Microsoft.Extensions.Options;

namespace HealthFlow.AlertWorker;

/// <summary>
/// Evaluates every alert rule for a submitted check-in together and raises at most one alert: the
/// highest severity, every rule and every reason. Idempotent: the alert id is a UUIDv5 of the
/// observation id and its stream must not exist, so a redelivered (or duplicated) observation finds
/// its alert raised already and does nothing.
/// </summary>
public sealed class ObservationAlertConsumer(
    IEventStore eventStore,
    IOptionsMonitor<AlertRulesOptions> rules,
    AlertMetrics metrics,
    TimeProvider timeProvider,
    ILogger<ObservationAlertConsumer> logger) : IConsumer<ObservationSubmitted>
{
    public async Task Consume(ConsumeContext<ObservationSubmitted> context)
    {
        var observation = context.Message;
        var envelope = context.Envelope();
        var cancellationToken = context.CancellationToken;
        if (AlertEvaluator.Decide(observation.Vitals, rules.CurrentValue) is not { } alert)
        {
            return;
        }

        var alertId = AlertId.For(observation.ObservationId);
        var raised = new AlertRaised(
            alertId,
            observation.PatientId,
            observation.ObservationId,
            alert.Severity,
            alert.Rule,
            alert.Reasons,
            alert.Score,
            alert.News2,
            alert.Partial,
            timeProvider.GetUtcNow(),
            alert.Rules);
        try
        {
            await eventStore.AppendAsync(
                StreamId.ForAlert(alertId), ExpectedVersion.NoStream, [raised], EventMetadataFactory.CausedBy(envelope), cancellationToken);
            metrics.AlertRaised(alert.Severity, alert.Rule);
            logger.LogInformation(
                "Raised {Severity} alert {AlertId} ({Rules}) for observation {ObservationId} of patient {PatientId}.",
                alert.Severity, alertId, string.Join(", ", alert.Rules), observation.ObservationId, observation.PatientId);
        }
        catch (ConcurrencyConflictException)
        {
            // The stream exists: this observation was delivered before and its alert is raised. Success.
            metrics.DuplicateSkipped(alert.Rule);
            logger.LogDebug("Alert {AlertId} was raised already; redelivery of observation {ObservationId} skipped.", alertId, observation.ObservationId);
        }
    }
}
