using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HealthFlow.ServiceDefaults.Http;

/// <summary>
/// HTTP plumbing shared by the three APIs: a 64 KB body limit (413), problem+json for every error status
/// (400 naming the field, 413, 415, 404...), the JSON shape of replies, and CORS for the two web apps.
/// </summary>
public static class HealthFlowHttpExtensions
{
    public const long MaxRequestBodyBytes = 64 * 1024;
    public const string CorsPolicyName = "healthflow-web-apps";

    public static TBuilder AddHealthFlowHttp<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.Configure<KestrelServerOptions>(options => options.Limits.MaxRequestBodySize = MaxRequestBodyBytes);

        // Binding failures (malformed JSON, wrong content type, oversize body) throw, so one handler turns
        // them into problem+json instead of empty 400/415 replies.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();

        builder.Services.ConfigureHttpJsonOptions(options => ConfigureJson(options.SerializerOptions));

        builder.Services.AddOptions<CorsSettings>()
            .BindConfiguration(CorsSettings.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddCors();
        builder.Services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<IOptions<CorsSettings>>((cors, settings) => cors.AddPolicy(CorsPolicyName, policy => policy
                .WithOrigins(settings.Value.AllowedOrigins)
                .WithHeaders("Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID", CorrelationIds.HeaderName)
                .WithMethods("GET", "POST")
                .WithExposedHeaders("Location")));

        return builder;
    }

    /// <summary>Call right after building the app, before authentication and the endpoints.</summary>
    public static WebApplication UseHealthFlowHttp(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCors(CorsPolicyName);
        app.Use(RejectOversizeBodies);
        return app;
    }

    /// <summary>
    /// The pipeline of the three APIs, in its one order: the HTTP plumbing, authentication, then
    /// <paramref name="afterAuthentication"/> (what must run once the token is redeemed and before authorization),
    /// authorization, and the health endpoints.
    /// </summary>
    public static WebApplication UseHealthFlowApi(this WebApplication app, Action<IApplicationBuilder>? afterAuthentication = null)
    {
        app.UseHealthFlowHttp();
        app.UseAuthentication();
        afterAuthentication?.Invoke(app);
        app.UseAuthorization();
        app.MapDefaultEndpoints();
        return app;
    }

    /// <summary>
    /// The local gateway's checks before it proxies, as the ALB does on AWS: an oversize body is refused
    /// here with 413 (proxying it only for the service to refuse it raced the unread body into a 502), and
    /// a header value that is not ASCII gets 400, because the proxy's HttpClient cannot send it on (502).
    /// </summary>
    public static WebApplication UseGatewayRequestChecks(this WebApplication app)
    {
        app.Use(RejectOversizeBodies);
        app.Use(RejectNonAsciiHeaders);
        return app;
    }

    /// <summary>camelCase, enums as camelCase strings, absent optional values left out.</summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        if (!options.Converters.OfType<JsonStringEnumConverter>().Any())
        {
            options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        }
    }

    private static async Task RejectNonAsciiHeaders(HttpContext context, RequestDelegate next)
    {
        foreach (var (name, values) in context.Request.Headers)
        {
            foreach (var value in values)
            {
                if (value is not null && value.Any(c => c > 0x7e || (c < 0x20 && c != '\t')))
                {
                    context.Response.Headers.Connection = "close";
                    await TypedResults.ValidationProblem(
                            new Dictionary<string, string[]> { [name] = ["Header values must be printable ASCII characters."] },
                            title: "Invalid header")
                        .ExecuteAsync(context);
                    return;
                }
            }
        }

        await next(context);
    }

    // A declared length over the limit is refused before any byte is read; chunked bodies hit Kestrel's
    // limit while reading, which the exception handler turns into the same 413.
    private static async Task RejectOversizeBodies(HttpContext context, RequestDelegate next)
    {
        if (context.Request.ContentLength > MaxRequestBodyBytes)
        {
            // The body stays unread, so this connection cannot carry another request: say so, or a
            // proxy that pools connections (the gateway) sends the next request into a closed socket.
            context.Response.Headers.Connection = "close";
            await TypedResults.Problem(
                    statusCode: StatusCodes.Status413PayloadTooLarge,
                    title: "Payload too large",
                    detail: $"Request bodies are limited to {MaxRequestBodyBytes / 1024} KB.")
                .ExecuteAsync(context);
            return;
        }

        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = MaxRequestBodyBytes;
        }

        await next(context);
    }
}
