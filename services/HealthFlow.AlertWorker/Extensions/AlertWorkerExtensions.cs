using HealthFlow.AlertWorker.CheckIns;
using HealthFlow.Domain.Monitoring;
using HealthFlow.Messaging;
using HealthFlow.Topology;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HealthFlow.AlertWorker.Extensions;

public static class AlertWorkerExtensions
{
    /// <summary>The rules that raise alerts and the policy that escalates them, validated at startup.</summary>
    public static IServiceCollection AddAlertPolicies(this IServiceCollection services)
    {
        services.AddOptions<AlertRulesOptions>().BindConfiguration(AlertRulesOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EscalationPolicy>().BindConfiguration(EscalationPolicy.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AlertMetrics>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>
    /// Evaluation of each check-in (alert-evaluation), each alert's escalation deadline (a delayed message on
    /// alert-escalation, chained past SQS's 15-minute delay), and each check-in schedule's window deadlines (plans and
    /// delayed deadlines on check-in-deadlines, chained the same way).
    /// </summary>
    public static IServiceCollection AddAlertConsumers(this IServiceCollection services)
    {
        services.AddSingleton<IDelayedMessages, DelayedMessages>();
        services.AddSingleton<IDelayedMessageChains, DelayedMessageChains>();
        services.AddSingleton<EscalationDeadlines>();
        services.AddSingleton<CheckInDeadlines>();
        services.AddSingleton<MissedCheckInAlerts>();
        services.AddSingleton<ScheduledCheckIns>();
        services.AddEventConsumers(consumers =>
        {
            consumers.Queue(HealthFlowTopology.Queues.AlertEvaluation)
                .Consume<ObservationSubmitted, ObservationAlertConsumer>();
            consumers.Queue(HealthFlowTopology.Queues.AlertEscalation)
                .Consume<AlertEscalationDue, AlertEscalationConsumer>();
            consumers.Queue(HealthFlowTopology.Queues.CheckInDeadlines)
                .Consume<MonitoringPlanSet, MonitoringPlanConsumer>()
                .Consume<CheckInDeadline, CheckInDeadlineConsumer>();
        });
        return services;
    }
}
