using HealthFlow.EventStore;
using HealthFlow.Messaging;
using HealthFlow.Notifier.Extensions;
using HealthFlow.Topology;

// notifier: consumes the alert events that page someone (notifications queue) and emails the on-call clinicians of
// the patient's care teams, at most once per (alert event, recipient, channel). The only holder of the SMTP secret.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddHealthFlowEventStore();
builder.AddHealthFlowSqs();
builder.Services.AddDynamoDbHealthCheck(HealthFlowTopology.Tables.Notifications);
builder.Services.AddNotifierOptions();
builder.Services.AddNotifier();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
