using HealthFlow.Aws.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using HealthFlow.AlertWorker;
using HealthFlow.Aws;
using HealthFlow.Domain;
using HealthFlow.Aws.Messaging;
using HealthFlow.Aws.Topology;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;

// alert-worker: consumes alert-evaluation and is the only writer of AlertRaised.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddHealthFlowEventStore();
builder.AddHealthFlowSqs();
// Ready only once DynamoDB has answered: the SDK's first-call costs are paid before the first request.
builder.Services.AddDynamoDbHealthCheck(HealthFlowTopology.Tables.Events, StreamId.AlertPrefix);

builder.Services.AddOptions<AlertRulesOptions>()
    .BindConfiguration(AlertRulesOptions.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddSingleton<AlertMetrics>();
builder.Services.TryAddSingleton(TimeProvider.System);

builder.Services.AddEventConsumers(consumers => consumers
    .Queue(HealthFlowTopology.Queues.AlertEvaluation)
    .Consume<ObservationSubmitted, ObservationAlertConsumer>());

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
