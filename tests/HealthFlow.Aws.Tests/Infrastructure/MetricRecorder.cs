using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using HealthFlow.EventStore;

namespace HealthFlow.Aws.Tests.Infrastructure;

/// <summary>Sums the HealthFlow counters, and keeps the last value of each gauge, per (instrument, queue).</summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string? Queue), long> _totals = new();
    private readonly ConcurrentDictionary<(string Instrument, string? Queue), double> _lastValues = new();

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
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "queue")
                    _lastValues[(instrument.Name, tag.Value as string)] = value;
            }
        });
        _listener.Start();
    }

    public long Total(string instrument, string queue) => _totals.GetValueOrDefault((instrument, queue));

    /// <summary>Reads every gauge now and returns <paramref name="instrument"/>'s value for the queue, if reported.</summary>
    public double? Gauge(string instrument, string queue)
    {
        _listener.RecordObservableInstruments();
        return _lastValues.TryGetValue((instrument, queue), out var value) ? value : null;
    }

    public void Dispose() => _listener.Dispose();
}
