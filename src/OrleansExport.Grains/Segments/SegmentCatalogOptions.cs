namespace OrleansExport.Grains.Segments;

/// <summary>How many segments a cluster holds (<c>Ingest:MaxSegments</c>).</summary>
public sealed class SegmentCatalogOptions
{
    public const string Section = "Ingest";

    /// <summary>An event or export that would register one more segment is rejected with a reason.</summary>
    public int MaxSegments { get; set; } = 10_000;
}
