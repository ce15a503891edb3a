using System.Security.Claims;
using HealthFlow.Aws.Access;

namespace HealthFlow.Query.Api.Alerts;

/// <summary>
/// The patients one SSE connection may be sent, refreshed every second while it is open, so a care-team
/// change reaches an open stream within about two seconds (this plus the membership cache) without a reconnect.
/// </summary>
public sealed class LiveScope : IDisposable
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stop;
    private volatile PatientScope _current;

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

    /// <summary>Whether a change of this patient may be sent now; cheap and synchronous, for the feed's filter hook.</summary>
    public bool Includes(Guid patientId) => _current.Includes(patientId);

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
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
