using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using HealthFlow.Aws.Diagnostics;

namespace HealthFlow.Aws.Tests.Infrastructure;

/// <summary>Sums the HealthFlow counters per (instrument, queue) while a test runs.</summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string? Queue), long> _totals = new();

    public MetricRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == HealthFlowTelemetry.MeterName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? queue = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "queue")
                    queue = tag.Value as string;
            }

            _totals.AddOrUpdate((instrument.Name, queue), value, (_, total) => total + value);
        });
        _listener.Start();
    }

    public long Total(string instrument, string queue) => _totals.GetValueOrDefault((instrument, queue));

    public void Dispose() => _listener.Dispose();
}
