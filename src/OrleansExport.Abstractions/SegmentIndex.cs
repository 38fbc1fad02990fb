namespace OrleansExport;

/// <summary>
/// The registered segments, spread over <see cref="ShardCount"/> index grains by a stable hash of the id: each
/// new segment writes one small row, and 10,000 segments of 128 characters stay far below a table entity's size.
/// </summary>
public static class SegmentIndex
{
    /// <summary>Never changed: a segment's index shard is where it was registered.</summary>
    public const int ShardCount = 32;

    public static string KeyOf(string segmentId) => $"segments-{Bucket(segmentId):D2}";

    /// <summary>Registers <paramref name="segmentId"/> within the cluster's <paramref name="maxSegments"/>; false when full.</summary>
    public static Task<bool> AdmitAsync(IGrainFactory grains, string segmentId, int maxSegments) =>
        grains.GetGrain<ISegmentIndexGrain>(KeyOf(segmentId)).AdmitAsync(segmentId, maxSegments);

    /// <summary>Every registered segment, in ordinal order.</summary>
    public static async Task<IReadOnlyList<string>> ListAsync(IGrainFactory grains)
    {
        var shards = await Task.WhenAll(Enumerable.Range(0, ShardCount)
            .Select(i => grains.GetGrain<ISegmentIndexGrain>($"segments-{i:D2}").ListAsync()));
        return [.. shards.SelectMany(ids => ids).Order(StringComparer.Ordinal)];
    }

    /// <summary>FNV-1a over the id's UTF-16 code units: the same on every silo and every run (string.GetHashCode is not).</summary>
    private static int Bucket(string segmentId)
    {
        var hash = 2166136261u;
        foreach (var c in segmentId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % ShardCount);
    }
}
