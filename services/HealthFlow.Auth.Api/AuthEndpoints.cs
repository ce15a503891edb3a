using System.Globalization;
using HealthFlow.Auth.Api.Tokens;
using HealthFlow.Auth.Api.Users;
using HealthFlow.Domain.Patients;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace HealthFlow.Auth.Api;

public sealed record RegisterRequest(string? Username, string? Password, string? DisplayName);

public sealed record RegisterResponse(Guid PatientId);

public sealed record LoginRequest(string? Username, string? Password);

public sealed record CreateClinicianRequest(string? Username, string? Password, string? DisplayName);

public sealed record ClinicianCreated(string ClinicianId);

/// <summary>The original system's login body. The role is only checked against the stored one, never trusted.</summary>
public sealed record LegacyLoginRequest(string? Username, string? Password, string? Role);

public sealed record LoginResponse(string AccessToken, string TokenType, int ExpiresIn, string Role, Guid? PatientId, string DisplayName);

public static class AuthEndpoints
{
    private const string InvalidCredentials = "The username or password is incorrect.";

    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth")
            .WithTags("Auth")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        auth.MapPost("/register", RegisterAsync)
            .WithName("Register")
            .WithSummary("Registers a patient. Clinicians cannot self-register.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        auth.MapPost("/login", LoginAsync)
            .WithName("Login")
            .WithSummary("Exchanges a username and password for an access token.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        auth.MapPost("/clinicians", CreateClinicianAsync)
            .RequireAuthorization(HealthFlowPolicies.Admin)
            .WithName("CreateClinician")
            .WithSummary("Creates a clinician account (admins only). The clinician id, for care teams, is the username.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);

        app.MapPost("/login", LegacyLoginAsync)
            .WithTags("Auth")
            .WithName("LegacyLogin")
            .WithSummary("The original system's login. Registers an unknown patient when Auth:AutoRegisterOnLogin is on.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        return app;
    }

    private static async Task<Results<Created<RegisterResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterRequest request, PatientRegistrar registrar, LoginRateLimiter rateLimiter, HttpContext context, CancellationToken cancellationToken)
    {
        if (rateLimiter.TryAcquireRegistration(context.Connection.RemoteIpAddress) is { } wait)
        {
            return TooManyAttempts(context, wait, "Too many registrations");
        }

        var result = await registrar.RegisterAsync(request.Username, request.Password, request.DisplayName, context.GetCorrelationId(), cancellationToken);
        return result switch
        {
            RegistrationResult.Registered registered => TypedResults.Created(
                $"/api/patients/{registered.User.PatientId}", new RegisterResponse(registered.User.PatientId!.Value)),
            RegistrationResult.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors),
            _ => UsernameTaken(),
        };
    }

    private static async Task<Results<Created<ClinicianCreated>, ValidationProblem, ProblemHttpResult>> CreateClinicianAsync(
        CreateClinicianRequest request,
        UserStore users,
        Microsoft.AspNetCore.Identity.IPasswordHasher<UserRecord> passwordHasher,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        // The same rules as a patient's registration: username, password length, display name.
        var validation = RegistrationValidator.Validate(request.Username, request.Password, request.DisplayName);
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }

        var registration = validation.Registration;
        var clinician = new UserRecord(registration.Username, string.Empty, HealthFlowRoles.Clinician, null, registration.DisplayName, timeProvider.GetUtcNow());
        clinician = clinician with { PasswordHash = passwordHasher.HashPassword(clinician, registration.Password) };
        return await users.TryCreateAsync(clinician, cancellationToken)
            ? TypedResults.Created($"/api/care-teams?clinicianId={clinician.Username}", new ClinicianCreated(clinician.Username))
            : UsernameTaken();
    }

    private static async Task<Results<Ok<LoginResponse>, ValidationProblem, ProblemHttpResult>> LoginAsync(
        LoginRequest request,
        CredentialVerifier verifier,
        LoginRateLimiter rateLimiter,
        AccountThrottle throttle,
        AccessTokenIssuer tokens,
        HttpContext context,
        CancellationToken cancellationToken)
    {
        if (RequireCredentials(request.Username, request.Password) is { } missing)
        {
            return missing;
        }

        if (rateLimiter.TryAcquire(context.Connection.RemoteIpAddress, RegistrationValidator.NormalizeUsername(request.Username!)) is { } retryAfter)
        {
            return TooManyAttempts(context, retryAfter);
        }

        if (await throttle.ReserveAttemptAsync(request.Username!, cancellationToken) is { } blockedFor)
        {
            return TooManyAttempts(context, blockedFor);
        }

        var user = await verifier.VerifyAsync(request.Username!, request.Password!, cancellationToken);
        await throttle.RecordAsync(request.Username!, succeeded: user is not null, cancellationToken);
        return user is null ? Unauthorized() : TypedResults.Ok(Reply(user, tokens));
    }

    private static async Task<Results<Ok<LoginResponse>, ValidationProblem, ProblemHttpResult>> LegacyLoginAsync(
        LegacyLoginRequest request,
        CredentialVerifier verifier,
        LoginRateLimiter rateLimiter,
        AccountThrottle throttle,
        AccessTokenIssuer tokens,
        PatientRegistrar registrar,
        IOptions<AuthOptions> options,
        HttpContext context,
        CancellationToken cancellationToken)
    {
        if (RequireCredentials(request.Username, request.Password) is { } missing)
        {
            return missing;
        }

        if (request.Role is not null && !HealthFlowRoles.IsKnown(request.Role))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["role"] = [$"Role must be {HealthFlowRoles.Patient}, {HealthFlowRoles.Clinician} or {HealthFlowRoles.Admin}."],
            });
        }

        if (rateLimiter.TryAcquire(context.Connection.RemoteIpAddress, RegistrationValidator.NormalizeUsername(request.Username!)) is { } retryAfter)
        {
            return TooManyAttempts(context, retryAfter);
        }

        if (await throttle.ReserveAttemptAsync(request.Username!, cancellationToken) is { } blockedFor)
        {
            return TooManyAttempts(context, blockedFor);
        }

        var user = await verifier.VerifyAsync(request.Username!, request.Password!, cancellationToken);
        if (user is null && options.Value.AutoRegisterOnLogin && request.Role is null or HealthFlowRoles.Patient)
        {
            // As the original did: an unknown patient is registered on first login, named after the login.
            var registration = await registrar.RegisterAsync(
                request.Username, request.Password, request.Username, context.GetCorrelationId(), cancellationToken);
            switch (registration)
            {
                case RegistrationResult.Registered registered:
                    user = registered.User;
                    break;
                case RegistrationResult.Invalid invalid:
                    return TypedResults.ValidationProblem(invalid.Errors);
            }
        }

        // A role that differs from the stored one fails like a wrong password: the reply must not reveal the account's role.
        var succeeded = user is not null && (request.Role is null || request.Role == user.Role);
        await throttle.RecordAsync(request.Username!, succeeded, cancellationToken);
        if (!succeeded)
        {
            return Unauthorized();
        }

        return TypedResults.Ok(Reply(user!, tokens));
    }

    private static LoginResponse Reply(UserRecord user, AccessTokenIssuer tokens)
    {
        var token = tokens.Issue(user);
        return new LoginResponse(token.AccessToken, "Bearer", token.ExpiresInSeconds, user.Role, user.PatientId, user.DisplayName);
    }

    private static ValidationProblem? RequireCredentials(string? username, string? password)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(username))
        {
            errors[RegistrationFields.Username] = ["Username is required."];
        }

        if (string.IsNullOrEmpty(password))
        {
            errors[RegistrationFields.Password] = ["Password is required."];
        }

        return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : null;
    }

    private static ProblemHttpResult Unauthorized() => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: InvalidCredentials);

    private static ProblemHttpResult UsernameTaken() => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict, title: "Username taken", detail: "That username is already registered.");

    private static ProblemHttpResult TooManyAttempts(HttpContext context, TimeSpan retryAfter, string title = "Too many login attempts")
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: title,
            detail: "Wait before trying again.");
    }
}
