using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Patients;
using HealthFlow.EventStore;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Identity;

namespace HealthFlow.Auth.Api.Users;

public abstract record RegistrationResult
{
    private RegistrationResult()
    {
    }

    public sealed record Registered(UserRecord User) : RegistrationResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : RegistrationResult;

    public sealed record UsernameTaken : RegistrationResult;
}

/// <summary>
/// Registers a patient: the PatientRegistered event and the user row.
/// </summary>
/// <remarks>
/// DynamoDB here has no transactions, so the two writes are ordered to make every crash harmless:
/// <list type="number">
/// <item>Append PatientRegistered to patient-{id} with "stream must not exist", where id is derived from
/// the username (PatientIds). The event comes first because everything downstream (the read models, the
/// alert projection's patient name, the observations appended to the same stream) assumes a patient stream
/// starts with it. Writing the user row first could leave a user who can log in and submit check-ins to a
/// stream with no PatientRegistered, which no projection could name.</item>
/// <item>Put the user row, conditional on the username not existing. This decides who owns the username.</item>
/// </list>
/// A crash between the two leaves a registered patient without credentials: visible to clinicians but
/// harmless, and repaired by retrying the registration. The retry derives the same id, finds the stream
/// taken, checks that its PatientRegistered is for the same username and display name (so it is the
/// earlier attempt, not someone else's registration), and writes the user row. A registration whose
/// stream holds a different display name is answered 409, like a taken username.
/// </remarks>
public sealed class PatientRegistrar(
    IEventStore eventStore,
    UserStore users,
    IPasswordHasher<UserRecord> passwordHasher,
    TimeProvider timeProvider,
    ILogger<PatientRegistrar> logger)
{
    public async Task<RegistrationResult> RegisterAsync(
        string? username, string? password, string? displayName, string correlationId, CancellationToken cancellationToken)
    {
        var validation = RegistrationValidator.Validate(username, password, displayName);
        if (!validation.IsValid)
        {
            return new RegistrationResult.Invalid(validation.Errors);
        }

        var registration = validation.Registration;
        if (await users.FindAsync(registration.Username, cancellationToken) is not null)
        {
            return new RegistrationResult.UsernameTaken();
        }

        var patientId = PatientIds.ForUsername(registration.Username);
        var now = timeProvider.GetUtcNow();
        var registered = new PatientRegistered(patientId, registration.Username, registration.DisplayName, now);
        var stream = StreamId.ForPatient(patientId);
        try
        {
            await eventStore.AppendAsync(
                stream,
                ExpectedVersion.NoStream,
                [registered],
                EventMetadataFactory.FromCurrentActivity(correlationId, userId: registration.Username),
                cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            var earlier = await ReadRegistrationAsync(stream, cancellationToken);
            if (earlier is null || earlier.Username != registration.Username || earlier.DisplayName != registration.DisplayName)
            {
                return new RegistrationResult.UsernameTaken();
            }

            logger.LogInformation("Completing an earlier registration of patient {PatientId} that has no user row yet.", patientId);
        }

        var user = new UserRecord(registration.Username, string.Empty, HealthFlowRoles.Patient, patientId, registration.DisplayName, now);
        user = user with { PasswordHash = passwordHasher.HashPassword(user, registration.Password) };
        return await users.TryCreateAsync(user, cancellationToken)
            ? new RegistrationResult.Registered(user)
            : new RegistrationResult.UsernameTaken();
    }

    private async Task<PatientRegistered?> ReadRegistrationAsync(StreamId stream, CancellationToken cancellationToken)
    {
        await foreach (var envelope in eventStore.ReadStreamAsync(stream, 1, cancellationToken))
        {
            return envelope.Type == EventTypes.PatientRegistered ? envelope.DataAs<PatientRegistered>() : null;
        }

        return null;
    }
}
