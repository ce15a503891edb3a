using HealthFlow.Gateway;
using HealthFlow.ServiceDefaults.Http;

// The local stand-in for the ALB: path routing only, generated from the same
// GatewayRoutes the CDK listener rules are built from.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// The hosting "Request starting" line and YARP's "Proxying to" line print the full URL with its query string,
// where the alert stream's ticket travels. Spans keep the path, and the query values are redacted there.
builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
builder.Logging.AddFilter("Yarp.ReverseProxy.Forwarder.HttpForwarder", LogLevel.Warning);
// Routing's "Executing/Executed endpoint" pair, two lines per proxied request: the request span says the same.
builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);
var proxy = builder.Services.AddReverseProxy()
    .LoadFromMemory(GatewayProxyConfig.Routes(), GatewayProxyConfig.Clusters())
    .AddServiceDiscoveryDestinationResolver();
// Under the AppHost's `--replicas`, a service's one address is Aspire's proxy, which picks a replica per connection,
// so a pooled connection would send every request to the same replica. The ALB picks a target per request; a
// connection per request gives the replicas requests as it would.
if (builder.Configuration.GetValue("Gateway:ConnectionPerRequest", false))
{
    proxy.ConfigureHttpClient((_, handler) => handler.PooledConnectionLifetime = TimeSpan.Zero);
}

var app = builder.Build();

app.UseGatewayRequestChecks();
app.MapDefaultEndpoints();
app.MapReverseProxy();

app.Run();
