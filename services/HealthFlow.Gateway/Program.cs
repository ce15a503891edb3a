using HealthFlow.Gateway;

// The local stand-in for the ALB: path routing only, generated from the same
// GatewayRoutes the CDK listener rules are built from.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddReverseProxy()
    .LoadFromMemory(GatewayProxyConfig.Routes(), GatewayProxyConfig.Clusters())
    .AddServiceDiscoveryDestinationResolver();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapReverseProxy();

app.Run();
