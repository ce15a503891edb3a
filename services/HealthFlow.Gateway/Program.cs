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
builder.Services.AddReverseProxy()
    .LoadFromMemory(GatewayProxyConfig.Routes(), GatewayProxyConfig.Clusters())
    .AddServiceDiscoveryDestinationResolver();

var app = builder.Build();

app.UseGatewayRequestChecks();
app.MapDefaultEndpoints();
app.MapReverseProxy();

app.Run();
