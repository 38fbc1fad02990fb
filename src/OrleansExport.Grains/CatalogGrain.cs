namespace OrleansExport.Grains;

[GenerateSerializer]
public sealed class CatalogState
{
    [Id(0)] public SortedSet<string> Connections { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Export id to connection id.</summary>
    [Id(1)] public SortedDictionary<string, string> Exports { get; set; } = new(StringComparer.Ordinal);

    // Id 2 held the segments of each export before segments kept their own subscribers; never reuse it.

    /// <summary>Segments registered before the sharded <see cref="SegmentIndex"/>; moved there on activation.</summary>
    [Id(3)] public SortedSet<string> Segments { get; set; } = new(StringComparer.Ordinal);
}

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
