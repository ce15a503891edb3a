using HealthFlow.EventStore;
using HealthFlow.Messaging;
using HealthFlow.ReadModels;
using HealthFlow.Topology;
using HealthFlow.Projections.Extensions;

// The projections worker: the only writer of the read-model tables.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddHealthFlowSqs();
builder.AddHealthFlowEventStreams();
builder.Services.AddDynamoDbHealthCheck(HealthFlowTopology.Tables.Alerts);
builder.Services.AddHealthFlowProjections();
builder.Services.AddProjectionConsumers();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
