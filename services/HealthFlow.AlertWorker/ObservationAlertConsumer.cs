using HealthFlow.Aws.EventStore;
using HealthFlow.Aws.Messaging;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using MassTransit;
using Microsoft.Extensions.Options;

namespace HealthFlow.AlertWorker;

/// <summary>
/// Evaluates the alert rules for each submitted check-in and raises one alert per rule that fires.
/// Idempotent: the alert id is a UUIDv5 of (observation event id, rule) and its stream must not exist,
/// so a redelivered observation finds its alerts raised already and does nothing.
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
        foreach (var decision in AlertEvaluator.Evaluate(observation.Vitals, rules.CurrentValue))
        {
            var alertId = AlertId.For(envelope.EventId, decision.Rule);
            var raised = new AlertRaised(
                alertId,
                observation.PatientId,
                observation.ObservationId,
                decision.Severity,
                decision.Rule,
                decision.Reasons,
                decision.Score,
                decision.News2,
                decision.Partial,
                timeProvider.GetUtcNow());
            try
            {
                await eventStore.AppendAsync(
                    StreamId.ForAlert(alertId), ExpectedVersion.NoStream, [raised], EventMetadataFactory.CausedBy(envelope), cancellationToken);
                metrics.AlertRaised(decision.Severity, decision.Rule);
                logger.LogInformation(
                    "Raised {Severity} alert {AlertId} ({Rule}) for observation {ObservationId} of patient {PatientId}.",
                    decision.Severity, alertId, decision.Rule, observation.ObservationId, observation.PatientId);
            }
            catch (ConcurrencyConflictException)
            {
                // The stream exists: this observation was delivered before and its alert is raised. Success.
                metrics.DuplicateSkipped(decision.Rule);
                logger.LogDebug("Alert {AlertId} was raised already; redelivery of observation {ObservationId} skipped.", alertId, observation.ObservationId);
            }
        }
    }
}
