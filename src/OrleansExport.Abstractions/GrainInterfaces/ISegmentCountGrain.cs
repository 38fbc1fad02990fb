namespace OrleansExport;

/// <summary>How many segments the cluster holds (key <see cref="Key"/>): the one count <c>Ingest:MaxSegments</c> is checked against.</summary>
public interface ISegmentCountGrain : IGrainWithStringKey
{
    const string Key = "segments";

    /// <summary>
    /// Takes one more place for <paramref name="segmentId"/>, or finds the one it took before its index row was written;
    /// false when <paramref name="maxSegments"/> are taken.
    /// </summary>
    Task<bool> TryTakeAsync(string segmentId, int maxSegments);

    /// <summary>The segment's index row is written: the place it took is no longer held by its id.</summary>
    Task ConfirmAsync(string segmentId);
}
