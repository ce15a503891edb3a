using HealthFlow.Aws.Diagnostics;
using HealthFlow.Aws;
using HealthFlow.Aws.Messaging;
using HealthFlow.Aws.ReadModels;
using HealthFlow.Aws.ReadModels.Projections;
using HealthFlow.Aws.Topology;
using HealthFlow.Domain.Events;
using HealthFlow.Projections;

// The projections worker: the only writer of the read-model tables; one MassTransit consumer per event type, one receive loop per queue.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddHealthFlowSqs();
builder.AddHealthFlowEventStreams();
// Ready only once DynamoDB has answered: the SDK's first-call costs are paid before the first request.
builder.Services.AddDynamoDbHealthCheck(HealthFlowTopology.Tables.Alerts);
builder.Services.AddHealthFlowProjections();
builder.Services.AddSingleton<ProjectionMetrics>();

builder.Services.AddEventConsumers(consumers =>
{
    consumers.Queue(HealthFlowTopology.Queues.PatientProjection)
        .Consume<PatientRegistered, ReadModelConsumer<PatientRegistered, PatientProjection>>();
    consumers.Queue(HealthFlowTopology.Queues.ObservationProjection)
        .Consume<ObservationSubmitted, ReadModelConsumer<ObservationSubmitted, ObservationProjection>>();
    consumers.Queue(HealthFlowTopology.Queues.AlertProjection)
        .Consume<AlertRaised, ReadModelConsumer<AlertRaised, AlertProjection>>()
        .Consume<AlertAcknowledged, ReadModelConsumer<AlertAcknowledged, AlertProjection>>()
        .Consume<AlertEscalated, ReadModelConsumer<AlertEscalated, AlertProjection>>();
});

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
