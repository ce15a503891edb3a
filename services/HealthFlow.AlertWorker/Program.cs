using HealthFlow.AlertWorker.Extensions;
using HealthFlow.EventStore;
using HealthFlow.Messaging;
using HealthFlow.Topology;
using HealthFlow.Domain;

// alert-worker: consumes alert-evaluation and is the only writer of AlertRaised; it also keeps each alert's
// escalation deadline (a delayed message on alert-escalation) and is the only writer of AlertEscalated, and of
// schedule-{patientId}: each check-in schedule's deadlines (check-in-deadlines) and its missed windows.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddHealthFlowEventStore();
builder.AddHealthFlowSqs();
builder.Services.AddDynamoDbHealthCheck(HealthFlowTopology.Tables.Events, StreamId.AlertPrefix);
builder.Services.AddAlertPolicies();
builder.Services.AddAlertConsumers();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
