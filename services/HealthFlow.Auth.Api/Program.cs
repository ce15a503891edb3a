using HealthFlow.Auth.Api;
using HealthFlow.Auth.Api.Tokens;
using HealthFlow.Auth.Api.Users;
using HealthFlow.Domain;
using HealthFlow.EventStore;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.ServiceDefaults.Http;
using HealthFlow.Topology;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddHealthFlowHttp();
builder.AddHealthFlowEventStore();
// Ready only once DynamoDB has answered: the SDK's first-call costs are paid before the first request.
builder.Services.AddDynamoDbHealthCheck(HealthFlowTopology.Tables.Events, StreamId.PatientPrefix);
builder.Services.AddDynamoDbHealthCheck(HealthFlowTopology.Tables.Users);
builder.Services.AddHealthFlowReadModels();

builder.Services.AddOptions<AuthOptions>()
    .BindConfiguration(AuthOptions.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddOptions<LoginRateLimitOptions>()
    .BindConfiguration(LoginRateLimitOptions.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddOptions<JwtSigningOptions>()
    .BindConfiguration(JwtSigningOptions.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();

builder.Services.AddSingleton<IPasswordHasher<UserRecord>, PasswordHasher<UserRecord>>();
builder.Services.AddSingleton<SigningKeyProvider>();
builder.Services.AddSingleton<AccessTokenIssuer>();
builder.Services.AddSingleton<StreamTicketIssuer>();
builder.Services.AddSingleton<CredentialVerifier>();
builder.Services.AddSingleton<PatientRegistrar>();
builder.Services.AddSingleton<LoginRateLimiter>();
builder.Services.AddSingleton<AccountThrottle>();
builder.Services.AddHostedService<DemoClinicianSeeder>();

// auth-api validates its own access tokens (for the stream ticket) with its local keys, not over HTTP, and
// with its peer tasks' keys during a rolling restart (Jwt:JwksUrl).
builder.Services.AddJwksHttpClient();
builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
    .Configure<SigningKeyProvider, IOptions<JwtSigningOptions>, IServiceProvider>((options, keys, jwt, services) =>
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
        options.AcceptPeerSigningKeys(keys.ValidationKeys, jwt.Value.JwksUrl, services);
    });
builder.Services.AddHealthFlowPolicies();

builder.Services.AddOpenApi();

var app = builder.Build();

// Fail at startup, not at the first login, when no signing key is available.
app.Services.GetRequiredService<SigningKeyProvider>();

// The login rate limit partitions on the client address. Behind the gateway or the ALB that address comes
// from X-Forwarded-For, which the host honours when ASPNETCORE_FORWARDEDHEADERS_ENABLED=true (set by the
// deployment): the standard switch, applied once, so a client cannot add a spoofed hop of its own.
app.UseHealthFlowHttp();
app.UseAuthentication();
app.UseAuthorization();

app.MapOpenApi();
if (app.Environment.IsDevelopment())
{
    app.MapScalarApiReference();
}

app.MapDefaultEndpoints();
app.MapAuthEndpoints();
app.MapJwksEndpoint();
app.MapStreamTicketEndpoint();

app.Run();
