namespace OrleansExport;

/// <summary>Lists every connection and export (key <see cref="CatalogGrainKey"/>); segments are listed by <see cref="SegmentIndex"/>.</summary>
public interface ICatalogGrain : IGrainWithStringKey
{
    const string CatalogGrainKey = "catalog";

    Task AddConnectionAsync(string connectionId);

    Task RemoveConnectionAsync(string connectionId);

    Task<IReadOnlyList<string>> ListConnectionsAsync();

    Task AddExportAsync(string exportId, string connectionId);

    Task RemoveExportAsync(string exportId);

    Task<IReadOnlyList<string>> ListExportsAsync();

    Task<IReadOnlyList<string>> ListExportsOfConnectionAsync(string connectionId);
}
