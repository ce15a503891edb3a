using HealthFlow.ServiceDefaults.Authentication;

namespace HealthFlow.Query.Api.Extensions;

public static class StreamTicketStripping
{
    /// <summary>
    /// The SSE stream ticket arrives as ?ticket=; once authentication has redeemed it, drop it from the request
    /// so nothing downstream (error logs, diagnostics) records even a spent ticket. The hosting "Request starting"
    /// log that prints query strings is kept at Warning in appsettings.json for the same reason. Use it between
    /// UseAuthentication and UseAuthorization.
    /// </summary>
    public static IApplicationBuilder UseStreamTicketStripping(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Request.Path.Equals(HealthFlowJwtBearerExtensions.AlertStreamPath, StringComparison.OrdinalIgnoreCase)
                && context.Request.Query.ContainsKey(StreamTickets.QueryParameter))
            {
                context.Request.QueryString = QueryString.Create(context.Request.Query
                    .Where(q => q.Key != StreamTickets.QueryParameter)
                    .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v))));
            }

            return next(context);
        });
}
