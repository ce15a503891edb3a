using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace HealthFlow.ServiceDefaults.Authentication;

/// <summary>
/// The auth defaults of every API but auth-api: JwtBearer validating ES256 tokens against auth-api's JWKS,
/// the role policies, and RFC 7807 bodies for 401 and 403.
/// </summary>
public static class HealthFlowJwtBearerExtensions
{
    /// <summary>The one path that takes a stream ticket in the query string (EventSource cannot send headers).</summary>
    public const string AlertStreamPath = "/api/alerts/stream";

    private const string JwksHttpClient = "healthflow-jwks";

    public static TBuilder AddHealthFlowJwtBearer<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<JwtValidationOptions>()
            .BindConfiguration(JwtValidationOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // Goes through the HttpClient defaults (service discovery, resilience), so `http://auth-api` resolves.
        builder.Services.AddHttpClient(JwksHttpClient);

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<StreamTicketRedemptions>();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddHealthChecks().AddCheck<JwksHealthCheck>("jwks");
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<JwtValidationOptions>, IHttpClientFactory>((options, jwtOptions, httpClientFactory) =>
            {
                var jwt = jwtOptions.Value;
                options.MapInboundClaims = false;
                options.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = jwt.Issuer,
                    ValidAudience = jwt.Audience,
                    ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
                    NameClaimType = HealthFlowClaims.Name,
                    RoleClaimType = HealthFlowClaims.Role,
                    ClockSkew = TimeSpan.FromSeconds(jwt.ClockSkewSeconds),
                };
                options.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                    jwt.ResolveJwksUrl(),
                    new JwksConfigurationRetriever(),
                    new HttpDocumentRetriever(httpClientFactory.CreateClient(JwksHttpClient)) { RequireHttps = jwt.RequireHttpsMetadata })
                {
                    // A token signed with an unknown kid (auth-api rotated or restarted with a new dev key)
                    // forces a refetch, but at most this often. It also caps the wait after a fetch failed
                    // because auth-api was not up yet (the manager backs off 1 s, 2 s, 4 s... up to this).
                    RefreshInterval = TimeSpan.FromSeconds(10),
                    AutomaticRefreshInterval = TimeSpan.FromHours(1),
                };
                options.Events = new JwtBearerEvents
                {
                    OnMessageReceived = RedeemStreamTicketOnAlertStream,
                    OnChallenge = WriteUnauthorizedProblem,
                    OnForbidden = WriteForbiddenProblem,
                };
            });

        builder.Services.AddHealthFlowPolicies();
        return builder;
    }

    /// <summary>The role policies, for auth-api too (which validates its own tokens with its local keys).</summary>
    public static IServiceCollection AddHealthFlowPolicies(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder()
            .AddPolicy(HealthFlowPolicies.Patient, policy => policy.RequireAuthenticatedUser().RequireRole(HealthFlowRoles.Patient))
            .AddPolicy(HealthFlowPolicies.Clinician, policy => policy.RequireAuthenticatedUser().RequireRole(HealthFlowRoles.Clinician))
            .AddPolicy(HealthFlowPolicies.Admin, policy => policy.RequireAuthenticatedUser().RequireRole(HealthFlowRoles.Admin))
            .AddPolicy(HealthFlowPolicies.AdminOrClinician, policy =>
                policy.RequireAuthenticatedUser().RequireRole(HealthFlowRoles.Admin, HealthFlowRoles.Clinician))
            .AddPolicy(HealthFlowPolicies.PatientOrClinician, policy =>
                policy.RequireAuthenticatedUser().RequireRole(HealthFlowRoles.Patient, HealthFlowRoles.Clinician));
        return services;
    }

    // Browsers' EventSource cannot set headers, so the SSE endpoint also takes a single-use stream ticket
    // from `?ticket=` (never the access token itself: URLs end up in proxies' logs and traces).
    private static async Task RedeemStreamTicketOnAlertStream(MessageReceivedContext context)
    {
        var request = context.HttpContext.Request;
        if (!request.Path.Equals(AlertStreamPath, StringComparison.OrdinalIgnoreCase)
            || request.Headers.Authorization.Any()
            || !request.Query.TryGetValue(StreamTickets.QueryParameter, out var values)
            || values.ToString() is not { Length: > 0 } ticket)
        {
            return;
        }

        var configuration = await context.Options.ConfigurationManager!.GetConfigurationAsync(context.HttpContext.RequestAborted);
        var redemptions = context.HttpContext.RequestServices.GetRequiredService<StreamTicketRedemptions>();
        var principal = await redemptions.RedeemAsync(ticket, context.Options.TokenValidationParameters, configuration.SigningKeys);
        if (principal is null)
        {
            context.Fail("The stream ticket is invalid, expired or already used.");
            return;
        }

        context.Principal = principal;
        context.Success();
    }

    /// <summary>RFC 7807 bodies for 401 and 403, without echoing why validation failed.</summary>
    public static JwtBearerEvents ProblemEvents() => new() { OnChallenge = WriteUnauthorizedProblem, OnForbidden = WriteForbiddenProblem };

    private static async Task WriteUnauthorizedProblem(JwtBearerChallengeContext context)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.HandleResponse();
        // Keep the standard challenge header, without echoing why validation failed.
        context.Response.Headers.WWWAuthenticate = string.IsNullOrEmpty(context.Error)
            ? "Bearer"
            : $"Bearer error=\"{context.Error}\"";
        await TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: "A valid bearer token is required.")
            .ExecuteAsync(context.HttpContext);
    }

    private static async Task WriteForbiddenProblem(ForbiddenContext context)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        await TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden",
                detail: "Your role does not allow this request.")
            .ExecuteAsync(context.HttpContext);
    }

    /// <summary>Reads a bare JWKS document (auth-api publishes no OpenID discovery document).</summary>
    private sealed class JwksConfigurationRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(
            string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            var document = await retriever.GetDocumentAsync(address, cancel);
            var keySet = new JsonWebKeySet(document);
            var configuration = new OpenIdConnectConfiguration { JwksUri = address, JsonWebKeySet = keySet };
            foreach (var key in keySet.Keys)
            {
                configuration.SigningKeys.Add(key);
            }

            return configuration;
        }
    }
}
