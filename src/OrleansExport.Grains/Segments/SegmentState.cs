namespace OrleansExport.Grains.Segments;

[GenerateSerializer]
public sealed class SegmentState
{
    /// <summary>Fixed when the segment first sees an event: changing it would move profiles between shards.</summary>
    [Id(0)] public int ShardCount { get; set; }

    [Id(1)] public List<ExportSubscription> Exports { get; set; } = [];

    [Id(2)] public DateTimeOffset? LastEventAt { get; set; }

    [Id(3)] public long EventsReceived { get; set; }

    /// <summary>Members per shard, as the shards last reported them.</summary>
    [Id(4)] public long[] MembersByShard { get; set; } = [];
}
