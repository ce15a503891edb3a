using HealthFlow.EventStore;
using HealthFlow.ReadModels.Projections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace HealthFlow.ReadModels;

public static class ReadModelServiceCollectionExtensions
{
    /// <summary>
    /// The users table and the three read models, for reading and writing. Needs an
    /// IAmazonDynamoDB client: from AddHealthFlowAws in writers, or AddHealthFlowReadModelQueries.
    /// </summary>
    public static IServiceCollection AddHealthFlowReadModels(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<UserStore>();
        services.TryAddSingleton<LoginThrottleStore>();
        services.TryAddSingleton<PatientReadModel>();
        services.TryAddSingleton<ObservationReadModel>();
        services.TryAddSingleton<AlertReadModel>();
        services.TryAddSingleton<CareTeamReadModel>();
        services.TryAddSingleton<AuditReadModel>();
        services.TryAddSingleton<NotificationSettingsStore>();
        return services;
    }

    /// <summary>
    /// The read models plus their projections and the projections' own writers (AlertWrites, AlertFeedStamps):
    /// what the projections worker and `healthflow replay` run.
    /// The alert projection also needs an IEventStreamReader (AddHealthFlowEventStreams).
    /// </summary>
    public static IServiceCollection AddHealthFlowProjections(this IServiceCollection services)
    {
        services.AddHealthFlowReadModels();
        services.TryAddSingleton<AlertWrites>();
        services.TryAddSingleton<AlertFeedStamps>();
        services.TryAddSingleton<PatientProjection>();
        services.TryAddSingleton<ObservationProjection>();
        services.TryAddSingleton<AlertProjection>();
        services.TryAddSingleton<CareTeamProjection>();
        services.TryAddSingleton<AuditProjection>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReadModelProjection, PatientProjection>(sp => sp.GetRequiredService<PatientProjection>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReadModelProjection, ObservationProjection>(sp => sp.GetRequiredService<ObservationProjection>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReadModelProjection, AlertProjection>(sp => sp.GetRequiredService<AlertProjection>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReadModelProjection, CareTeamProjection>(sp => sp.GetRequiredService<CareTeamProjection>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReadModelProjection, AuditProjection>(sp => sp.GetRequiredService<AuditProjection>()));
        return services;
    }

    /// <summary>
    /// For a reader only (query-api): the DynamoDB client and the read models, without the event store,
    /// publisher and outbox relay that AddHealthFlowEventStore brings, so the process needs no write or
    /// EventBridge permissions. Configured by the standard AWS settings, like AddHealthFlowAws.
    /// </summary>
    public static TBuilder AddHealthFlowReadModelQueries<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddHealthFlowDynamoDb();
        builder.Services.AddHealthFlowReadModels();
        return builder;
    }
}
