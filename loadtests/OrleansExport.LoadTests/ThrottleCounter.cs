using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrleansExport.ActiveCampaign;

namespace OrleansExport.LoadTests;

/// <summary>
/// Counts the 429s the ActiveCampaign client saw, per endpoint, from its own meter: the simulator
/// counts them too, but only this tells which request kind ran into a window (in-process silo only).
/// </summary>
internal sealed class ThrottleCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _byEndpoint = new();

    public ThrottleCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ActiveCampaignMetrics.MeterName && instrument.Name == ActiveCampaignMetrics.ThrottledInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var endpoint = "unknown";
            foreach (var tag in tags)
            {
                if (tag.Key == "endpoint")
                {
                    endpoint = tag.Value?.ToString() ?? endpoint;
                }
            }

            _byEndpoint.AddOrUpdate(endpoint, value, (_, count) => count + value);
        });
        _listener.Start();
    }

    public IReadOnlyDictionary<string, long> ByEndpoint => new SortedDictionary<string, long>(_byEndpoint);

    public void Dispose() => _listener.Dispose();
}
