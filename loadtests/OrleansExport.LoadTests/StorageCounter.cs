using System.Diagnostics.Metrics;
using OrleansExport.Silo.AzureStorage;

namespace OrleansExport.LoadTests;

/// <summary>Writes and bytes the in-process silo sent to Azure Storage, from its own meter (<see cref="StorageMetrics"/>).</summary>
internal sealed class StorageCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _writes;
    private long _bytesWritten;

    public StorageCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StorageMetrics.MeterName
                && instrument.Name is StorageMetrics.RequestsInstrument or StorageMetrics.BytesWrittenInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == StorageMetrics.BytesWrittenInstrument)
            {
                Interlocked.Add(ref _bytesWritten, value);
                return;
            }

            foreach (var tag in tags)
            {
                if (tag.Key == "kind" && tag.Value as string == "write")
                {
                    Interlocked.Add(ref _writes, value);
                }
            }
        });
        _listener.Start();
    }

    public StorageTotals Read() => new(Interlocked.Read(ref _writes), Interlocked.Read(ref _bytesWritten));

    public void Dispose() => _listener.Dispose();
}

internal readonly record struct StorageTotals(long Writes, long BytesWritten)
{
    public static StorageTotals operator -(StorageTotals a, StorageTotals b) => new(a.Writes - b.Writes, a.BytesWritten - b.BytesWritten);
}
