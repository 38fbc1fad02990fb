namespace OrleansExport.Grains.Catalog;

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
