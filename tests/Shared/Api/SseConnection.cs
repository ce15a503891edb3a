using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace HealthFlow.Testing;

/// <summary>One server-sent event as the stream wrote it.</summary>
public sealed record SseEvent(string? Id, string Event, JsonObject? Data)
{
    public bool IsAlertOf(Guid observationId) => Event == "alert" && Data?["observationId"]?.GetValue<string>() == observationId.ToString();
}

/// <summary>An SSE connection read event by event; the end of the stream is a failure, never a match.</summary>
public sealed class SseConnection : IDisposable
{
    private readonly HttpClient _client;
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseConnection(HttpClient client, HttpResponseMessage response, StreamReader reader) => (_client, _response, _reader) = (client, response, reader);

    /// <summary>Opens <paramref name="path"/> (with a ticket in it, or the bearer token in the header) and expects a 200.</summary>
    public static async Task<SseConnection> OpenAsync(Uri baseAddress, string path, string? accessToken = null, string? lastEventId = null)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new SseConnection(client, response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>Every event until one matches (30 s at most).</summary>
    public Task<List<SseEvent>> ReadUntilAsync(Func<SseEvent, bool> match) => ReadUntilAsync(events => match(events[^1]));

    /// <summary>Every event until what was read so far satisfies <paramref name="done"/> (30 s at most).</summary>
    public async Task<List<SseEvent>> ReadUntilAsync(Func<List<SseEvent>, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<SseEvent>();
        string? id = null;
        string? name = null;
        string? data = null;
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No matching event within 30 s; the stream sent: {string.Join(" | ", events.Select(e => $"{e.Event} {e.Id}"))}");
            }

            if (line is null)
            {
                throw new EndOfStreamException($"The stream closed before a matching event; it sent: {string.Join(" | ", events.Select(e => $"{e.Event} {e.Id}"))}");
            }

            if (line.Length == 0)
            {
                if (name is not null || data is not null)
                {
                    events.Add(new SseEvent(id, name ?? "message", data is null ? null : JsonNode.Parse(data) as JsonObject));
                    if (done(events))
                    {
                        return events;
                    }
                }

                (id, name, data) = (null, null, null);
            }
            else if (line.StartsWith("id:", StringComparison.Ordinal))
            {
                id = line[3..].Trim();
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                name = line[6..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data = line[5..].Trim();
            }
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
        _client.Dispose();
    }
}
