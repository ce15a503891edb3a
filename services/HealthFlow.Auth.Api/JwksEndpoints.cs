using HealthFlow.Auth.Api.Tokens;
using HealthFlow.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthFlow.Auth.Api;

public sealed record JsonWebKeySetDocument(IReadOnlyList<PublicJsonWebKey> Keys);

public static class JwksEndpoints
{
    public static IEndpointRouteBuilder MapJwksEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapGet(JwtValidationOptions.JwksPath, GetKeySet)
            .WithTags("Auth")
            .WithName("GetJsonWebKeySet")
            .WithSummary("The public keys that verify HealthFlow access tokens (RFC 7517).");
        return app;
    }

    private static Ok<JsonWebKeySetDocument> GetKeySet(SigningKeyProvider keys, HttpContext context)
    {
        // Validators cache the set and refetch on an unknown kid, so a short public cache is safe.
        context.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Ok(new JsonWebKeySetDocument(keys.PublicKeys));
    }
}
