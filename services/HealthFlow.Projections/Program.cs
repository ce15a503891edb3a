using HealthFlow.Aws.Diagnostics;
using HealthFlow.Aws;
using HealthFlow.Aws.Messaging;
using HealthFlow.Aws.ReadModels;
using HealthFlow.Aws.ReadModels.Projections;
using HealthFlow.Aws.Topology;
using HealthFlow.Domain.Events;
using HealthFlow.Projections;

// The projections worker: the only writer of the read-model tables, one consumer per queue.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddHealthFlowSqs();
builder.AddHealthFlowEventStreams();
// Ready only once DynamoDB has answered: the SDK's first-call costs are paid before the first request.
builder.Services.AddDynamoDbHealthCheck(HealthFlowTopology.Tables.Alerts);
builder.Services.AddHealthFlowProjections();
builder.Services.AddSingleton<ProjectionMetrics>();

builder.Services.AddEventConsumer(HealthFlowTopology.Queues.PatientProjection)
    .AddSubscription<PatientRegistered, ReadModelEventHandler<PatientRegistered, PatientProjection>>();

builder.Services.AddEventConsumer(HealthFlowTopology.Queues.ObservationProjection)
    .AddSubscription<ObservationSubmitted, ReadModelEventHandler<ObservationSubmitted, ObservationProjection>>();

builder.Services.AddEventConsumer(HealthFlowTopology.Queues.AlertProjection)
    .AddSubscription<AlertRaised, ReadModelEventHandler<AlertRaised, AlertProjection>>()
    .AddSubscription<AlertAcknowledged, ReadModelEventHandler<AlertAcknowledged, AlertProjection>>();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
