using HealthFlow.AlertWorker;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;
using HealthFlow.Messaging;
using HealthFlow.Topology;
using Microsoft.Extensions.DependencyInjection.Extensions;

// alert-worker: consumes alert-evaluation and is the only writer of AlertRaised; it also keeps each alert's
// escalation deadline (a delayed message on alert-escalation) and is the only writer of AlertEscalated.
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
builder.Services.AddOptions<EscalationPolicy>()
    .BindConfiguration(EscalationPolicy.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddSingleton<AlertMetrics>();
builder.Services.AddSingleton<IDelayedMessages, DelayedMessages>();
builder.Services.AddSingleton<IDelayedMessageChains, DelayedMessageChains>();
builder.Services.AddSingleton<EscalationDeadlines>();
builder.Services.TryAddSingleton(TimeProvider.System);

builder.Services.AddEventConsumers(consumers =>
{
    consumers.Queue(HealthFlowTopology.Queues.AlertEvaluation)
        .Consume<ObservationSubmitted, ObservationAlertConsumer>();
    consumers.Queue(HealthFlowTopology.Queues.AlertEscalation)
        .Consume<AlertEscalationDue, AlertEscalationConsumer>();
});

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
