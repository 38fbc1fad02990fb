using System.Diagnostics.Metrics;

namespace OrleansExport.LoadTests;

/// <summary>
/// What the memory streams' caches hold, from Orleans' own block-pool instruments: the 1 MiB blocks claimed
/// (allocated less released). A pulling agent keeps every message until one 30 minutes younger arrives
/// (<c>StreamCacheEvictionOptions.DataMaxAgeInCache</c>), so after a burst the whole burst stays cached.
/// </summary>
internal static class StreamCacheSize
{
    private const string Allocated = "orleans-streams-block-pool-allocated-memory";
    private const string Released = "orleans-streams-block-pool-released-memory";

    public static long ReadClaimedBytes()
    {
        long allocated = 0, released = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            if (instrument.Name is Allocated or Released)
            {
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, bytes, _, _) =>
        {
            if (instrument.Name == Allocated)
            {
                allocated += bytes;
            }
            else
            {
                released += bytes;
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return allocated - released;
    }
}
