namespace OrleansExport;

/// <summary>Lists every connection and export (key <see cref="CatalogGrainKey"/>).</summary>
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

    /// <summary>Records a segment the first time an event reaches it. Idempotent.</summary>
    Task AddSegmentAsync(string segmentId);

    /// <summary>Every segment that has received an event.</summary>
    Task<IReadOnlyList<string>> ListSegmentsAsync();
}
