using HealthFlow.Command.Api.Alerts;
using HealthFlow.Command.Api.CareTeams;
using HealthFlow.Command.Api.CheckIns;
using HealthFlow.Command.Api.Fhir;
using HealthFlow.Command.Api.MonitoringPlans;
using HealthFlow.Command.Api.Notifications;
using HealthFlow.Domain;
using HealthFlow.EventStore;
using HealthFlow.ReadModels;
using Microsoft.Extensions.DependencyInjection.Extensions;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.ServiceDefaults.Http;
using HealthFlow.Topology;
using Scalar.AspNetCore;

namespace HealthFlow.Command.Api.Extensions;

public static class CommandApiExtensions
{
    /// <summary>The HTTP edge, the token check and the event store that every command appends to.</summary>
    public static WebApplicationBuilder AddCommandApiHosting(this WebApplicationBuilder builder)
    {
        builder.AddHealthFlowHttp();
        builder.AddHealthFlowJwtBearer();
        builder.AddHealthFlowEventStore();
        builder.Services.AddDynamoDbHealthCheck(HealthFlowTopology.Tables.Events, StreamId.ObservationPrefix);
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>One command class per aggregate: check-ins, alerts, care teams, a patient's monitoring plans.</summary>
    public static IServiceCollection AddCommands(this IServiceCollection services)
    {
        services.AddSingleton<CommandMetrics>();
        services.AddSingleton<CheckInCommands>();
        services.AddSingleton<AlertCommands>();
        services.AddSingleton<CareTeamCommands>();
        services.AddSingleton<MonitoringPlanCommands>();
        services.TryAddSingleton<NotificationSettingsStore>();
        services.AddOptions<DemoWardOptions>().BindConfiguration(DemoWardOptions.SectionName);
        services.AddHostedService<DemoWardSeeder>();
        return services;
    }

    public static WebApplication MapCommandApi(this WebApplication app)
    {
        app.UseHealthFlowApi();

        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }

        app.MapCheckInEndpoints();
        app.MapAlertEndpoints();
        app.MapCareTeamEndpoints();
        app.MapMonitoringPlanEndpoints();
        app.MapNotificationSettingsEndpoints();
        app.MapFhirWriteEndpoints();
        return app;
    }
}
