using OrleansExport.Grains.Members;


namespace OrleansExport.Grains.Segments;

/// <summary>
/// Which shard each event goes to: the hash of its profile id, the same for segment and export shards,
/// so segment shard k forwards to export shard k whenever both have the same shard count.
/// </summary>
public static class ShardRouter
{
    /// <summary>The events of each shard, in stream order; null for a shard with none.</summary>
    public static List<SegmentEvent>?[] Split(IEnumerable<SegmentEvent> events, int shardCount)
    {
        var buckets = new List<SegmentEvent>?[shardCount];
        foreach (var e in events)
        {
            if (e.Type is SegmentEventType.SnapshotStarted or SegmentEventType.SnapshotCompleted)
            {
                // Every shard holds part of the segment: each sees the snapshot's start and end in stream order.
                for (var i = 0; i < shardCount; i++)
                {
                    (buckets[i] ??= []).Add(e);
                }

                continue;
            }

            (buckets[ProfileHash.Bucket(e.ProfileId, shardCount)] ??= []).Add(e);
        }

        return buckets;
    }
}
