using HealthFlow.Domain.Events;
using HealthFlow.EventStore;
using HealthFlow.Messaging;
using HealthFlow.Projections;
using HealthFlow.ReadModels;
using HealthFlow.ReadModels.Projections;
using HealthFlow.Topology;

// The projections worker: the only writer of the read-model tables; one MassTransit consumer per event type, one receive loop per queue.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddHealthFlowSqs();
builder.AddHealthFlowEventStreams();
// Ready only once DynamoDB has answered: the SDK's first-call costs are paid before the first request.
builder.Services.AddDynamoDbHealthCheck(HealthFlowTopology.Tables.Alerts);
builder.Services.AddHealthFlowProjections();
builder.Services.AddOptions<CareTeamProjectionOptions>().BindConfiguration(CareTeamProjectionOptions.SectionName).ValidateOnStart();
builder.Services.AddSingleton<ProjectionMetrics>();

builder.Services.AddEventConsumers(consumers =>
{
    consumers.Queue(HealthFlowTopology.Queues.PatientProjection)
        // A registration feeds two read models: the patient list and, when configured, the default team's members.
        .Consume<PatientRegistered, ReadModelConsumer<PatientRegistered, PatientProjection, CareTeamProjection>>();
    consumers.Queue(HealthFlowTopology.Queues.ObservationProjection)
        .Consume<ObservationSubmitted, ReadModelConsumer<ObservationSubmitted, ObservationProjection>>();
    consumers.Queue(HealthFlowTopology.Queues.AlertProjection)
        .Consume<AlertRaised, ReadModelConsumer<AlertRaised, AlertProjection>>()
        .Consume<AlertAcknowledged, ReadModelConsumer<AlertAcknowledged, AlertProjection>>()
        .Consume<AlertEscalated, ReadModelConsumer<AlertEscalated, AlertProjection>>();
    consumers.Queue(HealthFlowTopology.Queues.CareTeamProjection)
        .Consume<CareTeamCreated, ReadModelConsumer<CareTeamCreated, CareTeamProjection>>()
        .Consume<ClinicianAssignedToCareTeam, ReadModelConsumer<ClinicianAssignedToCareTeam, CareTeamProjection>>()
        .Consume<ClinicianRemovedFromCareTeam, ReadModelConsumer<ClinicianRemovedFromCareTeam, CareTeamProjection>>()
        .Consume<PatientAssignedToCareTeam, ReadModelConsumer<PatientAssignedToCareTeam, CareTeamProjection>>()
        .Consume<PatientRemovedFromCareTeam, ReadModelConsumer<PatientRemovedFromCareTeam, CareTeamProjection>>();
    consumers.Queue(HealthFlowTopology.Queues.AuditProjection)
        .Consume<PatientDataAccessed, ReadModelConsumer<PatientDataAccessed, AuditProjection>>();
});

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
