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
    /// Evaluation of each check-in (alert-evaluation), and each alert's escalation deadline: a delayed message on
    /// alert-escalation, chained past SQS's 15-minute delay.
    /// </summary>
    public static IServiceCollection AddAlertConsumers(this IServiceCollection services)
    {
        services.AddSingleton<IDelayedMessages, DelayedMessages>();
        services.AddSingleton<IDelayedMessageChains, DelayedMessageChains>();
        services.AddSingleton<EscalationDeadlines>();
        services.AddEventConsumers(consumers =>
        {
            consumers.Queue(HealthFlowTopology.Queues.AlertEvaluation)
                .Consume<ObservationSubmitted, ObservationAlertConsumer>();
            consumers.Queue(HealthFlowTopology.Queues.AlertEscalation)
                .Consume<AlertEscalationDue, AlertEscalationConsumer>();
        });
        return services;
    }
}
