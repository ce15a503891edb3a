using System.CommandLine;
using System.Diagnostics;
using HealthFlow.Provisioning;
using HealthFlow.ReadModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace HealthFlow.Cli;

/// <summary>
/// The host behind the AWS-facing commands: the same service defaults (OpenTelemetry to the Aspire
/// dashboard) and AWS registrations as the services, but no hosted services are started: a command
/// does its one job and exits.
/// </summary>
internal sealed class CliHost : IAsyncDisposable
{
    public static readonly ActivitySource ActivitySource = new("HealthFlow.Cli");

    private readonly IHost _host;

    private CliHost(IHost host)
    {
        _host = host;
        // The tracer provider is normally created when the host starts; a command never starts it.
        host.Services.GetService<TracerProvider>();
    }

    public IServiceProvider Services => _host.Services;

    /// <summary>The AppHost's LocalAws, where the CLI goes when nothing says otherwise.</summary>
    public const string LocalEndpoint = "http://localhost:4566/";

    /// <summary>
    /// `--aws-endpoint`: where the AWS calls go; otherwise AWS_ENDPOINT_URL; otherwise real AWS when AWS
    /// settings exist (AWS_PROFILE, AWS_ACCESS_KEY_ID, a container or web-identity role); otherwise LocalAws.
    /// </summary>
    public static Option<Uri?> AwsEndpointOption() => new("--aws-endpoint")
    {
        Description = $"AWS endpoint (default: AWS_ENDPOINT_URL; else real AWS when AWS_PROFILE or AWS_ACCESS_KEY_ID is set; else {LocalEndpoint}).",
        CustomParser = result => result.Tokens is [var token] && Uri.TryCreate(token.Value, UriKind.Absolute, out var uri)
            ? uri
            : ParseError(result, "--aws-endpoint must be an absolute URL."),
    };

    public static CliHost Create(Uri? awsEndpoint, LogLevel consoleLogLevel = LogLevel.Warning)
    {
        UseAwsEndpoint(awsEndpoint);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "healthflow", Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(level => level >= consoleLogLevel);
        // The SDK, HttpClient and Polly log every call at Information: noise on an operator's console.
        foreach (var chatty in new[] { "AWSSDK", "System.Net.Http", "Polly" })
        {
            builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(chatty, LogLevel.Warning);
        }

        builder.AddServiceDefaults();
        builder.AddHealthFlowAws();
        builder.Services.AddHealthFlowReadModels();
        return new CliHost(builder.Build());
    }

    public T Get<T>() where T : notnull => ActivatorUtilities.GetServiceOrCreateInstance<T>(_host.Services);

    // Disposing the host flushes the spans and logs still buffered for the OTLP exporter.
    public ValueTask DisposeAsync() => ((IAsyncDisposable)_host).DisposeAsync();

    /// <summary>
    /// Points the SDK at the endpoint the standard way (AWS_ENDPOINT_URL). With no AWS settings at all, that
    /// is the AppHost's LocalAws, so the README's commands work next to it as written. An emulator on this
    /// machine accepts any credentials, so an operator pointing at one need not configure any: LocalStack's
    /// test/test are used.
    /// </summary>
    private static void UseAwsEndpoint(Uri? awsEndpoint)
    {
        string[] realAwsSettings =
        [
            "AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE",
        ];
        if (awsEndpoint is not null)
        {
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", awsEndpoint.ToString());
        }
        else if (realAwsSettings.All(name => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name))))
        {
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", LocalEndpoint);
        }

        var configured = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        if (configured is null || !Uri.TryCreate(configured, UriKind.Absolute, out var endpoint) || !endpoint.IsLoopback)
        {
            return;
        }

        SetIfUnset("AWS_REGION", "us-east-1");
        if (Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is null && Environment.GetEnvironmentVariable("AWS_PROFILE") is null)
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "test");
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "test");
        }
    }

    private static void SetIfUnset(string name, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    private static Uri? ParseError(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return null;
    }
}
