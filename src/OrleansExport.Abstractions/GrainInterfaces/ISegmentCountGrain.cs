namespace OrleansExport;

/// <summary>How many segments the cluster holds (key <see cref="Key"/>): the one count <c>Ingest:MaxSegments</c> is checked against.</summary>
public interface ISegmentCountGrain : IGrainWithStringKey
{
    const string Key = "segments";

    /// <summary>Takes one more place; false when <paramref name="maxSegments"/> are taken.</summary>
    Task<bool> TryTakeAsync(int maxSegments);
}
