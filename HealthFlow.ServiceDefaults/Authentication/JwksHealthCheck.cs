using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace HealthFlow.ServiceDefaults.Authentication;

/// <summary>
/// Ready once auth-api's signing keys are in hand. The AppHost and the load balancer wait for
/// /health, so the JWKS is fetched before the first request instead of during it; afterwards the
/// configuration manager answers from its cache (refreshing it hourly), so the check costs nothing.
/// </summary>
internal sealed class JwksHealthCheck(IOptionsMonitor<JwtBearerOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var configuration = await options.Get(JwtBearerDefaults.AuthenticationScheme).ConfigurationManager!.GetConfigurationAsync(cancellationToken);
            return configuration.SigningKeys.Count > 0
                ? HealthCheckResult.Healthy($"{configuration.SigningKeys.Count} signing key(s)")
                : HealthCheckResult.Unhealthy("The JWKS holds no signing key.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("auth-api's JWKS could not be fetched.", ex);
        }
    }
}
