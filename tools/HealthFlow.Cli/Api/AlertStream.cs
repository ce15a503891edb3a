using System.Text.Json;
using HealthFlow.Domain;

namespace HealthFlow.Cli.Api;

/// <summary>
/// Follows GET /api/alerts/stream (Server-Sent Events) and hands each alert to a callback the moment
/// it arrives; reconnects with Last-Event-ID when the connection drops.
/// </summary>
public sealed class AlertStream(HealthFlowApiClient api, string clinicianToken)
{
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _lastEventId;

    public int Reconnects { get; private set; }

    /// <summary>Completes once the first connection is open, so nothing raised after it is missed.</summary>
    public Task Connected => _connected.Task;

    public async Task RunAsync(Action<AlertSummary> onAlert, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var response = await api.OpenAlertStreamAsync(clinicianToken, _lastEventId, cancellationToken);
                _connected.TrySetResult();
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                await ReadEventsAsync(new StreamReader(body), onAlert, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or ApiException)
            {
                if (!_connected.Task.IsCompleted && ex is ApiException)
                {
                    _connected.TrySetException(ex);
                    throw;
                }
            }

            Reconnects++;
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task ReadEventsAsync(StreamReader reader, Action<AlertSummary> onAlert, CancellationToken cancellationToken)
    {
        string? id = null;
        string? type = null;
        var data = new List<string>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count > 0 && (type is null or "alert") && JsonSerializer.Deserialize<AlertSummary>(string.Join('\n', data), DomainJson.Options) is { } alert)
                {
                    onAlert(alert);
                }

                _lastEventId = id ?? _lastEventId;
                (id, type, data) = (null, null, []);
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Add(line[5..].TrimStart(' '));
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                type = line[6..].TrimStart(' ');
            }
            else if (line.StartsWith("id:", StringComparison.Ordinal))
            {
                id = line[3..].TrimStart(' ');
            }
        }
    }
}
