using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
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

    private const string BearerPrefix = "Bearer ";

    public static TBuilder AddHealthFlowJwtBearer<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<JwtValidationOptions>()
            .BindConfiguration(JwtValidationOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // Goes through the HttpClient defaults (service discovery, resilience), so `http://auth-api` resolves.
        builder.Services.AddJwksHttpClient();

        builder.Services.TryAddSingleton(TimeProvider.System);
        // query-api, which opens the streams, registers the ledger its instances share instead.
        builder.Services.TryAddSingleton<IStreamTicketLedger, InProcessStreamTicketLedger>();
        builder.Services.AddSingleton<StreamTicketRedemptions>();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddHealthChecks().AddCheck<JwksHealthCheck>("jwks");
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<JwtValidationOptions>, IHttpClientFactory, TimeProvider, ILoggerFactory>((options, jwtOptions, httpClientFactory, timeProvider, loggerFactory) =>
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
                // Keeps every key auth-api's tasks published lately and fetches again on an unknown kid, so a
                // rolling restart with a new signing key answers no 401 (JwksKeyRing).
                options.ConfigurationManager = new JwksKeyRing(
                    jwt.ResolveJwksUrl(),
                    jwt.Issuer,
                    new HttpDocumentRetriever(httpClientFactory.CreateClient(JwksHttpClient)) { RequireHttps = jwt.RequireHttpsMetadata },
                    timeProvider,
                    loggerFactory.CreateLogger<JwksKeyRing>());
                options.Events = new JwtBearerEvents
                {
                    OnMessageReceived = ResolveTokenAndSigningKey,
                    OnChallenge = WriteUnauthorizedProblem,
                    OnForbidden = WriteForbiddenProblem,
                };
            });

        builder.Services.AddHealthFlowPolicies();
        return builder;
    }

    /// <summary>
    /// auth-api validates access tokens (for the stream ticket) with its own keys, not over HTTP. During a rolling
    /// restart with a new key, a task started before the rotation also meets tokens its successor signed. With
    /// `Jwt:JwksUrl` set (auth-api's own service name, so its peer tasks answer), a token whose kid is not one of
    /// its own is looked up in its peers' JWKS first, as the validators do (<see cref="JwksKeyRing"/>).
    /// </summary>
    public static void AcceptPeerSigningKeys(this JwtBearerOptions options, IReadOnlyList<SecurityKey> ownKeys, string? peerJwksUrl, IServiceProvider services)
    {
        if (string.IsNullOrWhiteSpace(peerJwksUrl))
        {
            return;
        }

        var peers = new JwksKeyRing(
            peerJwksUrl,
            options.TokenValidationParameters.ValidIssuer,
            new HttpDocumentRetriever(services.GetRequiredService<IHttpClientFactory>().CreateClient(JwksHttpClient)) { RequireHttps = false },
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetRequiredService<ILoggerFactory>().CreateLogger<JwksKeyRing>());
        var ownKeyIds = ownKeys.Select(k => k.KeyId).ToHashSet(StringComparer.Ordinal);
        // Only memory is read here; the fetch, if one is needed, happened when the request came in.
        options.TokenValidationParameters.IssuerSigningKeyResolver = (_, _, kid, _) => [.. ownKeys, .. peers.KeysFor(kid)];
        options.Events.OnMessageReceived = async context =>
        {
            if (BearerToken(context.HttpContext.Request) is { } token)
            {
                context.Token = token;
                if (JwksKeyRing.KeyIdOf(token) is { } kid && !ownKeyIds.Contains(kid))
                {
                    await peers.TryResolveSigningKeyAsync(token, context.HttpContext.RequestAborted);
                }
            }
        };
    }

    /// <summary>The HttpClient the JWKS is fetched with: service discovery resolves `http://auth-api`.</summary>
    public static IServiceCollection AddJwksHttpClient(this IServiceCollection services)
    {
        services.AddHttpClient(JwksHttpClient);
        return services;
    }

    private static string? BearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString() is { } authorization
        && authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
        && authorization[BearerPrefix.Length..].Trim() is { Length: > 0 } token
            ? token
            : null;

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

    /// <summary>
    /// Takes the token from the Authorization header, or on the alert stream the single-use ticket from the query
    /// string (browsers' EventSource cannot set headers; the access token itself never goes in a URL, which proxies
    /// log), and makes sure the key that signed it is known before it is validated.
    /// </summary>
    private static async Task ResolveTokenAndSigningKey(MessageReceivedContext context)
    {
        var keys = (JwksKeyRing)context.Options.ConfigurationManager!;
        var request = context.HttpContext.Request;
        var cancel = context.HttpContext.RequestAborted;
        if (BearerToken(request) is { } token)
        {
            context.Token = token;
            await keys.TryResolveSigningKeyAsync(token, cancel);
            return;
        }

        if (!request.Path.Equals(AlertStreamPath, StringComparison.OrdinalIgnoreCase)
            || request.Headers.Authorization.Any()
            || !request.Query.TryGetValue(StreamTickets.QueryParameter, out var values)
            || values.ToString() is not { Length: > 0 } ticket)
        {
            return;
        }

        await keys.TryResolveSigningKeyAsync(ticket, cancel);
        var configuration = await keys.GetConfigurationAsync(cancel);
        var redemptions = context.HttpContext.RequestServices.GetRequiredService<StreamTicketRedemptions>();
        var principal = await redemptions.RedeemAsync(ticket, context.Options.TokenValidationParameters, configuration.SigningKeys, cancel);
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
}
