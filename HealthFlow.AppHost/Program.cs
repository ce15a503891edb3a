using Microsoft.Extensions.Configuration;
using HealthFlow.AppHost;

// The whole HealthFlow system on one machine. Read top to bottom, this file is the
// architecture diagram: local AWS, provisioning, the services, the gateway, the web apps.
// `--containers`: the .NET services from their images instead of from source (README, "From containers").
var fromContainers = args.Contains("--containers");
var builder = DistributedApplication.CreateBuilder([.. args.Where(a => a != "--containers")]);

// LocalAws (no Docker needed) by default; `--aws localstack` runs LocalStack in a container instead.
var aws = builder.AddLocalAwsEndpoint();

// Creates every table, queue, DLQ, bus and rule from the shared topology, idempotently, as the administrator.
// Every service below signs as itself, and LocalAws allows it only its declared access (HealthFlowAccess).
var provision = builder.AddProject<Projects.HealthFlow_Cli>("provision")
    .WithArgs("provision")
    .WithAwsAdministrator(aws);

if (fromContainers)
{
    builder.AddSystemFromImages(aws, provision);
    builder.Build().Run();
    return;
}

// Each service's local settings (the demo accounts and ward, the escalation policy) are in LocalServiceSettings,
// shared with `--containers`.
var authApi = builder.AddProject<Projects.HealthFlow_Auth_Api>("auth-api")
    .WithAwsEndpoint(aws)
    .WithLocalSettings(builder.Configuration)
    .WithHttpHealthCheck("/health")
    .WaitForCompletion(provision);

var commandApi = builder.AddProject<Projects.HealthFlow_Command_Api>("command-api")
    .WithAwsEndpoint(aws)
    .WithJwtValidation(authApi)
    .WithLocalSettings(builder.Configuration)
    .WithHttpHealthCheck("/health")
    .WaitFor(authApi)
    .WaitForCompletion(provision);

var queryApi = builder.AddProject<Projects.HealthFlow_Query_Api>("query-api")
    .WithAwsEndpoint(aws)
    .WithJwtValidation(authApi)
    .WithLocalSettings(builder.Configuration)
    .WithHttpHealthCheck("/health")
    .WaitFor(authApi)
    .WaitForCompletion(provision);

// Raises alerts and escalates those left unacknowledged (`--Escalation:HighAfter=00:00:30` shortens a deadline).
builder.AddProject<Projects.HealthFlow_AlertWorker>("alert-worker")
    .WithAwsEndpoint(aws)
    .WithLocalSettings(builder.Configuration)
    .WithHttpHealthCheck("/health")
    .WaitForCompletion(provision);

// `--CareTeams:NewPatientsJoinDemoWard false` leaves new patients in no team.
builder.AddProject<Projects.HealthFlow_Projections>("projections")
    .WithAwsEndpoint(aws)
    .WithLocalSettings(builder.Configuration)
    .WithHttpHealthCheck("/health")
    .WaitForCompletion(provision);

// Emails the on-call clinicians about high alerts, escalations and missed check-ins, through maildev locally: its
// web inbox (http://localhost:1080) shows every message sent.
builder.AddProject<Projects.HealthFlow_Notifier>("notifier")
    .WithAwsEndpoint(aws)
    .WithLocalSettings(builder.Configuration)
    .WithHttpHealthCheck("/health")
    .WaitFor(builder.AddMailDev())
    .WaitForCompletion(provision);

// Path routing only, as the ALB does on AWS.
var gateway = builder.AddProject<Projects.HealthFlow_Gateway>("gateway")
    .WithHttpEndpoint(port: builder.Configuration.GetValue("Gateway:Port", 8080), name: "public")
    .WithReference(authApi)
    .WithReference(commandApi)
    .WithReference(queryApi)
    .WithHttpHealthCheck("/health", endpointName: "public")
    .WithExternalHttpEndpoints();

builder.AddWebApp("patient-app", "../frontend/patient", port: builder.Configuration.GetValue("WebApps:PatientPort", 5173), gateway);
builder.AddWebApp("clinician-app", "../frontend/clinician", port: builder.Configuration.GetValue("WebApps:ClinicianPort", 5174), gateway);

builder.Build().Run();
