using HealthFlow.Query.Api.Extensions;

// query-api: reads the read-model tables, and writes nothing but the audit records of what it answers (audit- streams).
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddQueryApiHosting();
builder.AddAuditedPatientAccess();
builder.Services.AddAlertFeed();
builder.Services.AddWorklist();

var app = builder.Build();

app.MapQueryApi();

app.Run();
