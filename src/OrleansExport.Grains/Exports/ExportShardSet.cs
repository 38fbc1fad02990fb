using OrleansExport.Grains.ExportShards;

namespace OrleansExport.Grains.Exports;

/// <summary>The shard grains of one export (<see cref="ExportState.ShardCount"/> of them), and calls to all of them at once.</summary>
public sealed class ExportShardSet(IGrainFactory grains, string exportId, int count)
{
    // Made once each: the delivery loop calls every shard several times per batch, and a reference costs a key and a lookup.
    private readonly IExportShardGrain?[] _references = new IExportShardGrain?[count];

    public int Count => count;

    public IExportShardGrain this[int index] => _references[index] ??= grains.GetGrain<IExportShardGrain>(ExportShardGrain.Key(exportId, index));

    public Task ForEachAsync(Func<IExportShardGrain, Task> action) => Task.WhenAll(Enumerable.Range(0, count).Select(i => action(this[i])));

    public Task ForEachIndexAsync(Func<int, Task> action) => Task.WhenAll(Enumerable.Range(0, count).Select(action));

    /// <summary>Every shard writes its snapshot, told which deliveries it was handed; answers the last delivery all of them hold.</summary>
    public async Task<long> PersistAllAsync(Func<int, long> handedThrough) =>
        (await Task.WhenAll(Enumerable.Range(0, count).Select(i => this[i].PersistAsync(handedThrough(i))))).Min();

    public Task<ShardCounters[]> GetCountersAsync() => Task.WhenAll(Enumerable.Range(0, count).Select(i => this[i].GetCountersAsync()));
}
