using OrleansExport.Grains.ExportShards;

namespace OrleansExport.Grains.Exports;

/// <summary>The shard grains of one export (<see cref="ExportState.ShardCount"/> of them), and calls to all of them at once.</summary>
public sealed class ExportShardSet(IGrainFactory grains, string exportId, int count)
{
    public int Count => count;

    public IExportShardGrain this[int index] => grains.GetGrain<IExportShardGrain>(ExportShardGrain.Key(exportId, index));

    public Task ForEachAsync(Func<IExportShardGrain, Task> action) => Task.WhenAll(Enumerable.Range(0, count).Select(i => action(this[i])));

    public Task ForEachIndexAsync(Func<int, Task> action) => Task.WhenAll(Enumerable.Range(0, count).Select(action));

    public Task<ShardCounters[]> GetCountersAsync() => Task.WhenAll(Enumerable.Range(0, count).Select(i => this[i].GetCountersAsync()));
}
