using HealthFlow.EventStore;
using HealthFlow.PatientAccess;
using HealthFlow.Query.Api.Alerts;
using HealthFlow.Query.Api.Audit;
using HealthFlow.Query.Api.Fhir;
using HealthFlow.Query.Api.Patients;
using HealthFlow.Query.Api.Worklist;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.ServiceDefaults.Http;
using HealthFlow.Topology;
using Scalar.AspNetCore;

namespace HealthFlow.Query.Api.Extensions;

public static class QueryApiExtensions
{
    /// <summary>The HTTP edge, the token check and the read-model tables.</summary>
    public static WebApplicationBuilder AddQueryApiHosting(this WebApplicationBuilder builder)
    {
        builder.AddHealthFlowHttp();
        builder.AddHealthFlowJwtBearer();
        builder.AddHealthFlowReadModelQueries();
        // A ticket opens one stream across every query-api task, not one per task.
        builder.Services.AddSingleton<IStreamTicketLedger, StreamTicketLedger>();
        builder.Services.AddDynamoDbHealthCheck(HealthFlowTopology.Tables.Alerts);
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>
    /// Who may read which patient (care teams), and the audit of what was read: query-api's only writes, group
    /// commits to audit- streams that the outbox publishes and the relay covers after a crash.
    /// </summary>
    public static WebApplicationBuilder AddAuditedPatientAccess(this WebApplicationBuilder builder)
    {
        builder.AddHealthFlowEventStore();
        builder.Services.AddPatientAccess();
        return builder;
    }

    /// <summary>The live alert feed behind the SSE stream: one reader of the alerts table, fanned out to every subscriber.</summary>
    public static IServiceCollection AddAlertFeed(this IServiceCollection services)
    {
        services.AddOptions<AlertStreamOptions>().BindConfiguration(AlertStreamOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AlertFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertFeed>());
        return services;
    }

    /// <summary>The triage worklist's bounds, validated on start.</summary>
    public static IServiceCollection AddWorklist(this IServiceCollection services)
    {
        services.AddOptions<WorklistOptions>().BindConfiguration(WorklistOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }

    public static WebApplication MapQueryApi(this WebApplication app)
    {
        app.UseHealthFlowApi(afterAuthentication: pipeline => pipeline.UseStreamTicketStripping());

        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }

        app.MapAlertEndpoints();
        app.MapPatientEndpoints();
        app.MapWorklistEndpoints();
        app.MapAuditEndpoints();
        app.MapFhirReadEndpoints();
        return app;
    }
}
