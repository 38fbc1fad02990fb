namespace OrleansExport;

/// <summary>
/// One shard of the segment index (key <see cref="SegmentIndex.KeyOf"/>): the registered segments whose id hashes to it,
/// so that no stored row holds every segment id of the cluster.
/// </summary>
public interface ISegmentIndexGrain : IGrainWithStringKey
{
    /// <summary>
    /// Registers the segment; true when it is (or already was) registered, false when the cluster already holds
    /// <paramref name="maxSegments"/> segments.
    /// </summary>
    Task<bool> AdmitAsync(string segmentId, int maxSegments);

    Task<IReadOnlyList<string>> ListAsync();
}
