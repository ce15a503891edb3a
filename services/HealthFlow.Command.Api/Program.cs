using HealthFlow.Aws.Topology;
using HealthFlow.Aws.Diagnostics;
using HealthFlow.Aws;
using HealthFlow.Domain;
using HealthFlow.Command.Api;
using HealthFlow.Command.Api.Alerts;
using HealthFlow.Command.Api.Fhir;
using HealthFlow.Command.Api.Observations;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.ServiceDefaults.Http;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddHealthFlowHttp();
builder.AddHealthFlowJwtBearer();
builder.AddHealthFlowEventStore();
// Ready only once DynamoDB has answered: the SDK's first-call costs are paid before the first request.
builder.Services.AddDynamoDbHealthCheck(HealthFlowTopology.Tables.Events, StreamId.ObservationPrefix);

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
app.MapFhirWriteEndpoints();

app.Run();
