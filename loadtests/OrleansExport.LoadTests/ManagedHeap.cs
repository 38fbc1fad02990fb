using System.Runtime;

namespace OrleansExport.LoadTests;

internal static class ManagedHeap
{
    /// <summary>Bytes of live managed objects after a full, compacting, blocking collection.</summary>
    public static long MeasureLiveBytes()
    {
        for (var i = 0; i < 2; i++)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: false);
    }
}
