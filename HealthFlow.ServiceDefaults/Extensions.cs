using System.Diagnostics;
using HealthFlow.ServiceDefaults.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

// The plumbing every HealthFlow process shares: OpenTelemetry over OTLP, health
// endpoints, service discovery, HTTP resilience and problem+json errors.
// Services call AddServiceDefaults() and MapDefaultEndpoints() and nothing else.
public static class Extensions
{
    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";

    /// <summary>Every HealthFlow ActivitySource and Meter is named "HealthFlow.*".</summary>
    public const string TelemetryPrefix = "HealthFlow.*";

    /// <summary>MassTransit's ActivitySource (its receive and consume spans); a process without MassTransit simply emits none.</summary>
    public const string MassTransitSource = "MassTransit";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        builder.Services.AddProblemDetails();
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // IHttpClientFactory logs four Information lines per outgoing call (start, send, receive, end) and the
        // resilience pipeline (Polly) one more for every attempt; each call is already a span with the same
        // facts. At saturation they were a tenth of command-api's CPU (dotnet-trace), and the dashboard
        // ingested them all. Retries, failures and broken circuits are Warnings and still come through.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(TelemetryPrefix))
            .WithTracing(tracing => tracing
                .SetSampler(BackgroundCallSampler.ParentBased())
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(TelemetryPrefix)
                .AddSource(MassTransitSource)
                .AddAspNetCoreInstrumentation(aspNetCore =>
                    // Health probes would drown the traces that matter.
                    aspNetCore.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation(http => http.EnrichWithHttpRequestMessage = AwsSpanNaming.Enrich)
                .AddProcessor(new UrlQueryRedaction()));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>/health (every check: ready to serve) and /alive (the process answers).</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
        return app;
    }
}

/// <summary>
/// The AWS SDK's calls reach OpenTelemetry as plain HTTP client spans (the AWS
/// instrumentation package is not available). Every AWS JSON protocol request
/// names its operation in X-Amz-Target, so the span is renamed after it and
/// given the RPC semantic-convention attributes: "DynamoDB.PutItem", "SQS.ReceiveMessage".
/// </summary>
public static class AwsSpanNaming
{
    private static readonly (string Prefix, string Service)[] Services =
    [
        ("DynamoDB_", "DynamoDB"),
        ("AmazonSQS.", "SQS"),
        ("AWSEvents.", "EventBridge"),
    ];

    public static void Enrich(Activity activity, HttpRequestMessage request)
    {
        if (!request.Headers.TryGetValues("X-Amz-Target", out var values))
        {
            return;
        }

        var target = values.FirstOrDefault();
        if (string.IsNullOrEmpty(target))
        {
            return;
        }

        var dot = target.LastIndexOf('.');
        var operation = dot >= 0 ? target[(dot + 1)..] : target;
        var service = Services.FirstOrDefault(s => target.StartsWith(s.Prefix, StringComparison.Ordinal)).Service ?? target[..Math.Max(dot, 0)];

        activity.DisplayName = $"{service}.{operation}";
        activity.SetTag("rpc.system", "aws-api");
        activity.SetTag("rpc.service", service);
        activity.SetTag("rpc.method", operation);
    }
}
