namespace OrleansExport.Grains.Catalog;

public sealed class CatalogGrain([PersistentState("catalog", Constants.ExportStore)] IPersistentState<CatalogState> state) : Grain, ICatalogGrain
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Segments.Count > 0)
        {
            await Task.WhenAll(state.State.Segments.Select(id => SegmentIndex.AdmitAsync(GrainFactory, id, int.MaxValue)));
            state.State.Segments.Clear();
            await state.WriteStateAsync(cancellationToken);
        }
    }

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
        if (state.State.Exports.Remove(exportId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListExportsAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Exports.Keys]);

    public Task<IReadOnlyList<string>> ListExportsOfConnectionAsync(string connectionId) =>
        Task.FromResult<IReadOnlyList<string>>([.. state.State.Exports.Where(e => e.Value == connectionId).Select(e => e.Key)]);
}
