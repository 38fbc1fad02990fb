namespace OrleansExport.Grains;

[GenerateSerializer]
public sealed class CatalogState
{
    [Id(0)] public SortedSet<string> Connections { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Export id to connection id.</summary>
    [Id(1)] public SortedDictionary<string, string> Exports { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Export id to the segments it takes events from (active exports only).</summary>
    [Id(2)] public Dictionary<string, string[]> SegmentsByExport { get; set; } = new(StringComparer.Ordinal);
}

public sealed class CatalogGrain([PersistentState("catalog", Constants.ExportStore)] IPersistentState<CatalogState> state) : Grain, ICatalogGrain
{
    public async Task AddConnectionAsync(string connectionId)
    {
        if (state.State.Connections.Add(connectionId))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveConnectionAsync(string connectionId)
    {
        if (state.State.Connections.Remove(connectionId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListConnectionsAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Connections]);

    public async Task AddExportAsync(string exportId, string connectionId)
    {
        state.State.Exports[exportId] = connectionId;
        await state.WriteStateAsync();
    }

    public async Task RemoveExportAsync(string exportId)
    {
        if (state.State.Exports.Remove(exportId) | state.State.SegmentsByExport.Remove(exportId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListExportsAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Exports.Keys]);

    public Task<IReadOnlyList<string>> ListExportsOfConnectionAsync(string connectionId) =>
        Task.FromResult<IReadOnlyList<string>>([.. state.State.Exports.Where(e => e.Value == connectionId).Select(e => e.Key)]);

    public async Task SetExportSegmentsAsync(string exportId, IReadOnlyList<string> segmentIds)
    {
        var known = state.State.SegmentsByExport.TryGetValue(exportId, out var current);
        if (segmentIds.Count == 0 ? !known : known && current!.SequenceEqual(segmentIds))
        {
            return;
        }

        if (segmentIds.Count == 0)
        {
            state.State.SegmentsByExport.Remove(exportId);
        }
        else
        {
            state.State.SegmentsByExport[exportId] = [.. segmentIds];
        }

        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> ListSubscribedSegmentsAsync() =>
        Task.FromResult<IReadOnlyList<string>>([.. state.State.SegmentsByExport.Values.SelectMany(s => s).Distinct(StringComparer.Ordinal)]);
}
