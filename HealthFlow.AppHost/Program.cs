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

var authApi = builder.AddProject<Projects.HealthFlow_Auth_Api>("auth-api")
    .WithAwsEndpoint(aws)
    .WithHttpHealthCheck("/health")
    .WithEnvironment("Auth__SeedDemoClinician", "true")
    .WithEnvironment("Auth__AutoRegisterOnLogin", "true")
    // Locally every client is 127.0.0.1 behind the gateway: limit logins per user, not per address.
    .WithEnvironment("Auth__LoginRateLimit__PerIpPermitLimit", "100000")
    .WithEnvironment("Auth__LoginRateLimit__RegisterPerIpPermitLimit", "100000")
    .WithEnvironment("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "true")
    .WaitForCompletion(provision);

// New patients join "Demo ward" locally; `--CareTeams:NewPatientsJoinDemoWard false` leaves them in no team.
// command-api decides removals against that join, projections puts it in the read model: both get the same value.
var newPatientsJoinDemoWard = builder.Configuration.GetValue("CareTeams:NewPatientsJoinDemoWard", true) ? "true" : "false";

var commandApi = builder.AddProject<Projects.HealthFlow_Command_Api>("command-api")
    .WithAwsEndpoint(aws)
    .WithJwtValidation(authApi)
    // The local demo's care team, "Demo ward", with clinician1 in it.
    .WithEnvironment("CareTeams__SeedDemoWard", "true")
    .WithEnvironment("CareTeams__NewPatientsJoinDemoWard", newPatientsJoinDemoWard)
    // Audit records name the client's address, from the gateway's X-Forwarded-For.
    .WithEnvironment("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "true")
    .WithHttpHealthCheck("/health")
    .WaitFor(authApi)
    .WaitForCompletion(provision);

var queryApi = builder.AddProject<Projects.HealthFlow_Query_Api>("query-api")
    .WithAwsEndpoint(aws)
    .WithJwtValidation(authApi)
    .WithEnvironment("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "true")
    .WithHttpHealthCheck("/health")
    .WaitFor(authApi)
    .WaitForCompletion(provision);

// Raises alerts and escalates those left unacknowledged (`--Escalation:HighAfter=00:00:30` shortens a deadline).
builder.AddProject<Projects.HealthFlow_AlertWorker>("alert-worker")
    .WithAwsEndpoint(aws)
    .WithSectionFrom(builder.Configuration, "Escalation")
    .WithHttpHealthCheck("/health")
    .WaitForCompletion(provision);

builder.AddProject<Projects.HealthFlow_Projections>("projections")
    .WithAwsEndpoint(aws)
    .WithEnvironment("CareTeams__NewPatientsJoinDemoWard", newPatientsJoinDemoWard)
    .WithHttpHealthCheck("/health")
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
