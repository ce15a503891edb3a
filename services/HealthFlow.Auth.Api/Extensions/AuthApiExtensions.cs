using HealthFlow.Auth.Api.Tokens;
using HealthFlow.Auth.Api.Users;
using HealthFlow.EventStore;
using HealthFlow.ReadModels;
using HealthFlow.Topology;
using HealthFlow.Domain;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.ServiceDefaults.Http;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Scalar.AspNetCore;

namespace HealthFlow.Auth.Api.Extensions;

public static class AuthApiExtensions
{
    /// <summary>The HTTP edge, the event store (PatientRegistered) and the users table.</summary>
    public static WebApplicationBuilder AddAuthApiHosting(this WebApplicationBuilder builder)
    {
        builder.AddHealthFlowHttp();
        builder.AddHealthFlowEventStore();
        builder.Services.AddDynamoDbHealthCheck(HealthFlowTopology.Tables.Events, StreamId.PatientPrefix);
        builder.Services.AddDynamoDbHealthCheck(HealthFlowTopology.Tables.Users);
        builder.Services.AddHealthFlowReadModels();
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>Registration, login (with its rate limits) and the tokens auth-api issues and signs.</summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LoginRateLimitOptions>().BindConfiguration(LoginRateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<JwtSigningOptions>().BindConfiguration(JwtSigningOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<IPasswordHasher<UserRecord>, PasswordHasher<UserRecord>>();
        services.AddSingleton<SigningKeyProvider>();
        services.AddSingleton<AccessTokenIssuer>();
        services.AddSingleton<StreamTicketIssuer>();
        services.AddSingleton<CredentialVerifier>();
        services.AddSingleton<PatientRegistrar>();
        services.AddSingleton<LoginRateLimiter>();
        services.AddSingleton<AccountThrottle>();
        services.AddHostedService<DemoClinicianSeeder>();
        return services;
    }

    /// <summary>
    /// auth-api validates its own access tokens (for the stream ticket) with its local keys, not over HTTP, and
    /// with its peer tasks' keys during a rolling restart (Jwt:JwksUrl).
    /// </summary>
    public static IServiceCollection AddLocalJwtBearer(this IServiceCollection services)
    {
        services.AddJwksHttpClient();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SigningKeyProvider, IOptions<JwtSigningOptions>, IServiceProvider>((options, keys, jwt, provider) =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = jwt.Value.Issuer,
                    ValidAudience = jwt.Value.Audience,
                    ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
                    IssuerSigningKeys = keys.ValidationKeys,
                    NameClaimType = HealthFlowClaims.Name,
                    RoleClaimType = HealthFlowClaims.Role,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                options.Events = HealthFlowJwtBearerExtensions.ProblemEvents();
                options.AcceptPeerSigningKeys(keys.ValidationKeys, jwt.Value.JwksUrl, provider);
            });
        services.AddHealthFlowPolicies();
        return services;
    }

    public static WebApplication MapAuthApi(this WebApplication app)
    {
        // Fail at startup, not at the first login, when no signing key is available.
        app.Services.GetRequiredService<SigningKeyProvider>();

        // The login rate limit partitions on the client address. Behind the gateway or the ALB that address comes
        // from X-Forwarded-For, which the host honours when ASPNETCORE_FORWARDEDHEADERS_ENABLED=true (set by the
        // deployment): the standard switch, applied once, so a client cannot add a spoofed hop of its own.
        app.UseHealthFlowApi();

        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }

        app.MapAuthEndpoints();
        app.MapJwksEndpoint();
        app.MapStreamTicketEndpoint();
        return app;
    }
}
