using System.Globalization;

namespace HealthFlow.Cli;

/// <summary>Prints a progress line at a fixed interval until disposed: long operations never look hung.</summary>
internal sealed class ProgressLine : IDisposable
{
    private readonly Timer _timer;

    private ProgressLine(TimeSpan interval, Func<string> describe)
    {
        _timer = new Timer(_ => Console.Error.WriteLine(describe()), null, interval, interval);
    }

    public static ProgressLine Every(TimeSpan interval, Func<string> describe) => new(interval, describe);

    public static string Rate(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture) + "/s";

    public void Dispose()
    {
        using var stopped = new ManualResetEvent(false);
        // Wait for a line being printed, so it never lands after the final result.
        if (_timer.Dispose(stopped))
        {
            stopped.WaitOne();
        }
    }
}
