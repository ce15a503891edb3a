namespace HealthFlow.LocalAws.Access;

/// <summary>A revocation: one action on one resource (`table/events`, `alert-evaluation`, `event-bus/healthflow`) taken from a service.</summary>
public sealed record AccessRevocation(string Service, string Action, string Resource);

/// <summary>The access state: is enforcement on, what was refused; revoke a grant for a test, restore the declaration.</summary>
public sealed record AccessState(bool Enforced, IReadOnlyCollection<AccessDenial> Denials);

public static class AccessEndpoints
{
    public const string Path = "/_localaws/access";

    public static IEndpointRouteBuilder MapAccessEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, (AccessPolicy access) => TypedResults.Ok(new AccessState(access.Enforced, access.Denials)));
        app.MapPut(Path + "/enforced", (bool enforced, AccessPolicy access) =>
        {
            access.Enforced = enforced;
            return TypedResults.NoContent();
        });
        app.MapPost(Path + "/revocations", (AccessRevocation revocation, AccessPolicy access) =>
        {
            access.Revoke(revocation.Service, revocation.Action, revocation.Resource);
            return TypedResults.NoContent();
        });
        app.MapDelete(Path + "/revocations", (AccessPolicy access) =>
        {
            access.RestoreAll();
            return TypedResults.NoContent();
        });
        return app;
    }
}
