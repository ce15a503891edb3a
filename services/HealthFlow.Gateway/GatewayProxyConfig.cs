using HealthFlow.Topology;
using Yarp.ReverseProxy.Configuration;

namespace HealthFlow.Gateway;

/// <summary>Translates <see cref="GatewayRoutes"/> (ALB path patterns) into YARP routes and clusters.</summary>
public static class GatewayProxyConfig
{
    // Server-Sent Events stay open for minutes; the stream sends heartbeats well within this.
    private static readonly TimeSpan ActivityTimeout = TimeSpan.FromMinutes(10);

    public static IReadOnlyList<RouteConfig> Routes() =>
        GatewayRoutes.All
            .SelectMany(route => route.PathPatterns.Select((pattern, i) => new RouteConfig
            {
                RouteId = $"{route.Service}-{route.Priority}-{i}",
                ClusterId = route.Service,
                Order = route.Priority,
                Match = new RouteMatch { Path = ToRouteTemplate(pattern), Methods = route.Methods },
            }))
            .ToList();

    public static IReadOnlyList<ClusterConfig> Clusters() =>
        GatewayRoutes.All
            .Select(route => route.Service)
            .Distinct()
            .Select(service => new ClusterConfig
            {
                ClusterId = service,
                HttpRequest = new Yarp.ReverseProxy.Forwarder.ForwarderRequestConfig { ActivityTimeout = ActivityTimeout },
                // Resolved by service discovery: the AppHost injects services__{name}__http__0.
                Destinations = new Dictionary<string, DestinationConfig>
                {
                    [service] = new() { Address = $"http://{service}" },
                },
            })
            .ToList();

    /// <summary>
    /// ALB patterns use `*` for "any characters". A trailing `*` becomes a catch-all
    /// segment; a `*` between slashes matches one path segment.
    /// </summary>
    public static string ToRouteTemplate(string albPattern)
    {
        var segments = albPattern.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i] == "*")
            {
                segments[i] = i == segments.Length - 1 ? "{**rest}" : $"{{segment{i}}}";
            }
        }

        return string.Join('/', segments);
    }
}
