using HealthFlow.Command.Api;
using HealthFlow.Command.Api.Alerts;
using HealthFlow.Command.Api.CareTeams;
using HealthFlow.Command.Api.Fhir;
using HealthFlow.Command.Api.Observations;
using HealthFlow.Domain;
using HealthFlow.EventStore;
using HealthFlow.PatientAccess;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.ServiceDefaults.Http;
using HealthFlow.Topology;
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

// Care teams: the commands, the read model behind GET /api/care-teams and the acknowledgement's scope check.
builder.Services.AddSingleton<CareTeamReadModel>();
builder.Services.AddSingleton<CareTeamCommands>();
builder.Services.AddOptions<PatientScopeOptions>().BindConfiguration(PatientScopeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<PatientScopes>();
builder.Services.AddOptions<DemoWardOptions>().BindConfiguration(DemoWardOptions.SectionName);
builder.Services.AddHostedService<DemoWardSeeder>();
builder.Services.AddPatientDataAudit();

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
app.MapCareTeamEndpoints();
app.MapFhirWriteEndpoints();

app.Run();
