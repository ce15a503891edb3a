using HealthFlow.Aws;
using HealthFlow.Command.Api;
using HealthFlow.Command.Api.Alerts;
using HealthFlow.Command.Api.Observations;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.ServiceDefaults.Http;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddHealthFlowHttp();
builder.AddHealthFlowJwtBearer();
builder.AddHealthFlowEventStore();

builder.Services.AddSingleton<CommandMetrics>();
builder.Services.AddSingleton<ObservationSubmitter>();

builder.Services.AddOpenApi();

var app = builder.Build();

app.UseHealthFlowHttp();
app.UseAuthentication();
app.UseAuthorization();

app.MapOpenApi();
if (app.Environment.IsDevelopment())
{
    app.MapScalarApiReference();
}

app.MapDefaultEndpoints();
app.MapObservationEndpoints();
app.MapAlertEndpoints();

app.Run();
