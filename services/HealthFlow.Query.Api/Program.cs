using HealthFlow.EventStore;
using HealthFlow.PatientAccess;
using HealthFlow.Query.Api.Alerts;
using HealthFlow.Query.Api.Audit;
using HealthFlow.Query.Api.Fhir;
using HealthFlow.Query.Api.Patients;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.ServiceDefaults.Http;
using HealthFlow.Topology;
using Scalar.AspNetCore;

// query-api: reads the read-model tables, and writes nothing but the audit records of what it answers (audit- streams).
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddHealthFlowHttp();
builder.AddHealthFlowJwtBearer();
builder.AddHealthFlowReadModelQueries();
// Only for the audit trail's group commits: the outbox publishes them, and the relay covers a crash.
builder.AddHealthFlowEventStore();
builder.Services.AddPatientDataAudit();
builder.Services.AddOptions<PatientScopeOptions>().BindConfiguration(PatientScopeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<PatientScopes>();
// Ready only once DynamoDB has answered: the SDK's first-call costs are paid before the first request.
builder.Services.AddDynamoDbHealthCheck(HealthFlowTopology.Tables.Alerts);

builder.Services.AddOptions<AlertStreamOptions>()
    .BindConfiguration(AlertStreamOptions.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddSingleton<AlertFeed>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<AlertFeed>());

builder.Services.AddOpenApi();

var app = builder.Build();

app.UseHealthFlowHttp();
app.UseAuthentication();
// The SSE stream ticket arrives as ?ticket=; once authentication has redeemed it, drop it from the request
// so nothing downstream (error logs, diagnostics) records even a spent ticket. The hosting "Request starting"
// log that prints query strings is kept at Warning in appsettings.json for the same reason.
app.Use((context, next) =>
{
    if (context.Request.Path.Equals(HealthFlowJwtBearerExtensions.AlertStreamPath, StringComparison.OrdinalIgnoreCase)
        && context.Request.Query.ContainsKey(StreamTickets.QueryParameter))
    {
        context.Request.QueryString = QueryString.Create(context.Request.Query
            .Where(q => q.Key != StreamTickets.QueryParameter)
            .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v))));
    }

    return next(context);
});
app.UseAuthorization();

app.MapOpenApi();
if (app.Environment.IsDevelopment())
{
    app.MapScalarApiReference();
}

app.MapDefaultEndpoints();
app.MapAlertEndpoints();
app.MapPatientEndpoints();
app.MapAuditEndpoints();
app.MapFhirReadEndpoints();

app.Run();
