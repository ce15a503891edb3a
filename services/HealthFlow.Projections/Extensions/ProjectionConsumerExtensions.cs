using HealthFlow.Messaging;
using HealthFlow.ReadModels.Projections;
using HealthFlow.Topology;
using HealthFlow.Domain.Events;

namespace HealthFlow.Projections.Extensions;

public static class ProjectionConsumerExtensions
{
    /// <summary>One MassTransit consumer per event type, one receive loop per queue, each feeding its read models.</summary>
    public static IServiceCollection AddProjectionConsumers(this IServiceCollection services)
    {
        services.AddOptions<CareTeamProjectionOptions>().BindConfiguration(CareTeamProjectionOptions.SectionName).ValidateOnStart();
        services.AddSingleton<ProjectionMetrics>();
        services.AddEventConsumers(consumers =>
        {
            consumers.Queue(HealthFlowTopology.Queues.PatientProjection)
                // A registration feeds two read models: the patient list and, when configured, the default team's members.
                .Consume<PatientRegistered, ReadModelConsumer<PatientRegistered, PatientProjection, CareTeamProjection>>()
                // A monitoring plan goes onto the patient's row.
                .Consume<MonitoringPlanSet, ReadModelConsumer<MonitoringPlanSet, PatientProjection>>();
            consumers.Queue(HealthFlowTopology.Queues.ObservationProjection)
                // A check-in is stored, and its time goes onto the patient's row (their check-in status).
                .Consume<ObservationSubmitted, ReadModelConsumer<ObservationSubmitted, ObservationProjection, PatientProjection>>();
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
        return services;
    }
}
