using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace HealthFlow.EndToEnd.Tests.Browser;

/// <summary>Counts full page loads and alert-list fetches after it starts, to prove updates arrive over the stream.</summary>
internal sealed class PageWatch
{
    private int _navigations;

    public int Navigations => _navigations;

    public ConcurrentQueue<string> AlertListFetches { get; } = new();

    public static PageWatch Start(IPage page)
    {
        var watch = new PageWatch();
        page.FrameNavigated += (_, frame) =>
        {
            if (frame == page.MainFrame)
            {
                Interlocked.Increment(ref watch._navigations);
            }
        };
        page.Request += (_, request) =>
        {
            if (request.Method == "GET" && new Uri(request.Url).AbsolutePath == "/api/alerts")
            {
                watch.AlertListFetches.Enqueue(request.Url);
            }
        };
        return watch;
    }
}
