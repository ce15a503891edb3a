using HealthFlow.Domain.Events;
using HealthFlow.Messaging;
using HealthFlow.ReadModels;
using HealthFlow.Topology;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HealthFlow.Notifier.Extensions;

public static class NotifierExtensions
{
    /// <summary>The mail server and the message's link, validated at startup: a notifier that cannot send must not start.</summary>
    public static IServiceCollection AddNotifierOptions(this IServiceCollection services)
    {
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }

    /// <summary>
    /// Who is told (care teams and their settings), the ledger, the email sender, and the consumers of the
    /// notifications queue. A failed send is retried with backoff in process, then by SQS, and dead-lettered after
    /// the fifth receive (`healthflow redrive notifications` sends it again).
    /// </summary>
    public static IServiceCollection AddNotifier(this IServiceCollection services) =>
        services.AddNotifier(HealthFlowTopology.Queues.Notifications,
            retry => retry.Exponential(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2)));

    /// <summary>As <see cref="AddNotifier(IServiceCollection)"/>, on another queue with another retry (a test's short one).</summary>
    public static IServiceCollection AddNotifier(this IServiceCollection services, QueueDefinition queue, Action<IRetryConfigurator> retry)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CareTeamReadModel>();
        services.TryAddSingleton<NotificationSettingsStore>();
        services.TryAddSingleton<NotificationLedger>();
        services.TryAddSingleton<IEmailSender, SmtpEmailSender>();
        services.AddSingleton<NotifierMetrics>();
        services.AddSingleton<OnCallRecipients>();
        services.AddSingleton<AlertNotifications>();
        services.AddEventConsumers(consumers =>
        {
            consumers.Queue(queue)
                .Consume<AlertRaised, AlertRaisedNotificationConsumer>()
                .Consume<AlertEscalated, AlertEscalatedNotificationConsumer>();
            consumers.UseRetry(retry);
        });
        return services;
    }
}
