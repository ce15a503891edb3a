using Microsoft.Extensions.Configuration;
using HealthFlow.AppHost;

// The whole HealthFlow system on one machine. Read top to bottom, this file is the
// architecture diagram: local AWS, provisioning, the services, the gateway, the web apps.
// `--containers`: the .NET services from their images instead of from source (README, "From containers").
var fromContainers = args.Contains("--containers");
var builder = DistributedApplication.CreateBuilder([.. args.Where(a => a != "--containers")]);

// `--replicas N` (1 to 4, default 1): N processes of each of the five services, as ECS runs N tasks of a service.
// Each service's endpoint is Aspire's proxy, which spreads connections over the replicas; the gateway keeps one
// destination per service, as the ALB keeps one target group.
var replicas = ServiceReplicas.From(builder.Configuration);

// LocalAws (no Docker needed) by default; `--aws localstack` runs LocalStack in a container instead.
var aws = builder.AddLocalAwsEndpoint();

// Creates every table, queue, DLQ, bus and rule from the shared topology, idempotently, as the administrator.
// Every service below signs as itself, and LocalAws allows it only its declared access (HealthFlowAccess).
var provision = builder.AddProject<Projects.HealthFlow_Cli>("provision")
    .WithArgs("provision")
    .WithAwsAdministrator(aws);

if (fromContainers)
{
    // Each container listens on the host's network on its service's own port, so a second one of a service could
    // not bind it; nothing here would spread requests over two containers either.
    if (replicas > 1)
    {
        throw new ArgumentException("--replicas above 1 runs only from source: --containers runs one container per service on a fixed host port.");
    }

    builder.AddSystemFromImages(aws, provision);
    builder.Build().Run();
    return;
}

// Each service's local settings (the demo accounts and ward, the escalation policy) are in LocalServiceSettings,
// shared with `--containers`.
var authApi = builder.AddProject<Projects.HealthFlow_Auth_Api>("auth-api")
    .WithReplicas(replicas)
    .WithAwsEndpoint(aws)
    .WithLocalSettings(builder.Configuration)
    .WithHttpHealthCheck("/health")
    .WaitForCompletion(provision);

var commandApi = builder.AddProject<Projects.HealthFlow_Command_Api>("command-api")
    .WithReplicas(replicas)
    .WithAwsEndpoint(aws)
    .WithJwtValidation(authApi)
    .WithLocalSettings(builder.Configuration)
    .WithHttpHealthCheck("/health")
    .WaitFor(authApi)
    .WaitForCompletion(provision);

var queryApi = builder.AddProject<Projects.HealthFlow_Query_Api>("query-api")
    .WithReplicas(replicas)
    .WithAwsEndpoint(aws)
    .WithJwtValidation(authApi)
    .WithLocalSettings(builder.Configuration)
    .WithHttpHealthCheck("/health")
    .WaitFor(authApi)
    .WaitForCompletion(provision);

// Raises alerts and escalates those left unacknowledged (`--Escalation:HighAfter=00:00:30` shortens a deadline).
var alertWorker = builder.AddProject<Projects.HealthFlow_AlertWorker>("alert-worker")
    .WithReplicas(replicas)
    .WithAwsEndpoint(aws)
    .WithLocalSettings(builder.Configuration)
    .WithHttpHealthCheck("/health")
    .WaitForCompletion(provision);

// `--CareTeams:NewPatientsJoinDemoWard false` leaves new patients in no team.
var projections = builder.AddProject<Projects.HealthFlow_Projections>("projections")
    .WithReplicas(replicas)
    .WithAwsEndpoint(aws)
    .WithLocalSettings(builder.Configuration)
    .WithHttpHealthCheck("/health")
    .WaitForCompletion(provision);

// Emails the on-call clinicians about high alerts, escalations and missed check-ins, through maildev locally: its
// web inbox (http://localhost:1080) shows every message sent.
var notifier = builder.AddProject<Projects.HealthFlow_Notifier>("notifier")
    .WithReplicas(replicas)
    .WithAwsEndpoint(aws)
    .WithLocalSettings(builder.Configuration)
    .WithHttpHealthCheck("/health")
    .WaitFor(builder.AddMailDev())
    .WaitForCompletion(provision);

// `--ReplaceExitedTasks true`: a replica that exits without a stop command is started again, as ECS replaces a stopped task.
builder.ReplaceExitedTasks(authApi.Resource, commandApi.Resource, queryApi.Resource, alertWorker.Resource, projections.Resource, notifier.Resource);

// Path routing only, as the ALB does on AWS.
var gateway = builder.AddProject<Projects.HealthFlow_Gateway>("gateway")
    .WithHttpEndpoint(port: builder.Configuration.GetValue("Gateway:Port", 8080), name: "public")
    .WithReference(authApi)
    .WithReference(commandApi)
    .WithReference(queryApi)
    // Aspire's proxy picks a replica per connection: with replicas, the gateway opens one per request, as the ALB balances requests.
    .WithEnvironment("Gateway__ConnectionPerRequest", replicas > 1 ? "true" : "false")
    .WithHttpHealthCheck("/health", endpointName: "public")
    .WithExternalHttpEndpoints();

builder.AddWebApp("patient-app", "../frontend/patient", port: builder.Configuration.GetValue("WebApps:PatientPort", 5173), gateway);
builder.AddWebApp("clinician-app", "../frontend/clinician", port: builder.Configuration.GetValue("WebApps:ClinicianPort", 5174), gateway);

builder.Build().Run();
