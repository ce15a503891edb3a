using System.Security.Claims;
using HealthFlow.PatientAccess;
using HealthFlow.ReadModels;

namespace HealthFlow.Query.Api.Alerts;

/// <summary>
/// The patients one SSE connection may be sent, refreshed every second while it is open, so a care-team change
/// reaches an open stream within about two seconds (this plus the membership cache) without a reconnect.
/// </summary>
/// <remarks>
/// A change the filter rejects is held for a few seconds: when a refresh then admits its patient (a patient who
/// registered a moment ago and joined the team, or was just assigned), it is offered to the connection after
/// all, so the first alert of a new member is late by at most the refresh, never lost.
/// </remarks>
public sealed class LiveScope : IDisposable
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan HoldFor = TimeSpan.FromSeconds(5);
    private const int MaxHeld = 500;

    private readonly CancellationTokenSource _stop;
    private readonly Queue<(DateTimeOffset At, AlertChange Change)> _held = new();
    private volatile PatientScope _current;
    private Func<AlertChange, bool>? _offer;

    private LiveScope(PatientScope initial, CancellationToken connectionClosed)
    {
        _current = initial;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(connectionClosed);
    }

    public static async Task<LiveScope> StartAsync(PatientScopes scopes, ClaimsPrincipal user, CancellationToken connectionClosed)
    {
        var live = new LiveScope(await scopes.ForAsync(user, connectionClosed), connectionClosed);
        _ = live.RefreshAsync(scopes, user);
        return live;
    }

    /// <summary>Where changes admitted late go (the connection's subscription).</summary>
    public void OfferLateChangesTo(Func<AlertChange, bool> offer) => _offer = offer;

    /// <summary>Whether a change of this patient may be sent now; cheap and synchronous.</summary>
    public bool Includes(Guid patientId) => _current.Includes(patientId);

    /// <summary>The feed's filter hook: admits a change of the scope's patients, and holds any other for a while.</summary>
    public bool Admit(AlertChange change)
    {
        if (_current.Includes(change.Alert.PatientId))
        {
            return true;
        }

        lock (_held)
        {
            _held.Enqueue((DateTimeOffset.UtcNow, change));
            if (_held.Count > MaxHeld)
            {
                _held.Dequeue();
            }
        }

        return false;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private async Task RefreshAsync(PatientScopes scopes, ClaimsPrincipal user)
    {
        var token = _stop.Token;
        using var timer = new PeriodicTimer(RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(token))
            {
                try
                {
                    _current = await scopes.ForAsync(user, token);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Keep the last known scope; the next tick tries again.
                }

                OfferAdmitted();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void OfferAdmitted()
    {
        var scope = _current;
        var expired = DateTimeOffset.UtcNow - HoldFor;
        List<AlertChange> admitted = [];
        lock (_held)
        {
            var count = _held.Count;
            for (var i = 0; i < count; i++)
            {
                var (at, change) = _held.Dequeue();
                if (scope.Includes(change.Alert.PatientId))
                {
                    admitted.Add(change);
                }
                else if (at > expired)
                {
                    _held.Enqueue((at, change));
                }
            }
        }

        foreach (var change in admitted)
        {
            _offer?.Invoke(change);
        }
    }
}
