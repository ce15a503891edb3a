using HealthFlow.EventBridge;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class EventBridgeServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EventBridgeClient"/> as a typed HttpClient, so the calls flow through
    /// IHttpClientFactory (pooled connections, OpenTelemetry HttpClient spans, configured resilience).
    /// The SigV4 handler is the primary handler: any retry handler added by defaults sits outside it,
    /// so every attempt is signed afresh.
    /// </summary>
    public static IHttpClientBuilder AddEventBridgeClient(this IServiceCollection services, Action<EventBridgeClientOptions>? configure = null)
    {
        var options = services.AddOptions<EventBridgeClientOptions>();
        if (configure is not null)
            options.Configure(configure);

        services.AddSingleton(sp => EventBridgeConnection.Resolve(sp.GetRequiredService<IOptions<EventBridgeClientOptions>>().Value));
        return services
            .AddHttpClient<EventBridgeClient>((sp, http) => http.BaseAddress = sp.GetRequiredService<EventBridgeConnection>().Endpoint)
            .ConfigurePrimaryHttpMessageHandler(sp => EventBridgeClient.CreateSigningHandler(
                sp.GetRequiredService<EventBridgeConnection>(),
                new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) }));
    }
}
