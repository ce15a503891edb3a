using HealthFlow.Aws.ReadModels.Projections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HealthFlow.Aws.ReadModels;

public static class ReadModelServiceCollectionExtensions
{
    /// <summary>
    /// The users and idempotency tables, the three read models and their projections. Needs the
    /// IAmazonDynamoDB client and, for the alert projection, the IEventStore (both from AddHealthFlowAws).
    /// </summary>
    public static IServiceCollection AddHealthFlowReadModels(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<UserStore>();
        services.TryAddSingleton<IdempotencyStore>();
        services.TryAddSingleton<PatientReadModel>();
        services.TryAddSingleton<ObservationReadModel>();
        services.TryAddSingleton<AlertReadModel>();

        services.TryAddSingleton<PatientProjection>();
        services.TryAddSingleton<ObservationProjection>();
        services.TryAddSingleton<AlertProjection>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReadModelProjection, PatientProjection>(sp => sp.GetRequiredService<PatientProjection>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReadModelProjection, ObservationProjection>(sp => sp.GetRequiredService<ObservationProjection>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReadModelProjection, AlertProjection>(sp => sp.GetRequiredService<AlertProjection>()));
        return services;
    }
}
