using OrleansExport.Grains.Members;


namespace OrleansExport.Grains.Segments;

/// <summary>The persisted state of one segment shard: its profiles and their latest attributes.</summary>
[GenerateSerializer]
public sealed class SegmentShardState
{
    /// <summary>
    /// One slot per profile seen: <see cref="MemberSlot.LastOccurredTicks"/> and <see cref="MemberSlot.LastEventHash"/>
    /// order and dedupe its events, <see cref="MemberSlot.SegmentMask"/> is 1 while it is a member, and the arena
    /// holds its attributes (none once it left).
    /// </summary>
    [Id(0)] public MemberTable Members { get; set; } = new();

    [Id(1)] public long MemberCount { get; set; }

    /// <summary>The full refresh from upstream in progress, if any.</summary>
    [Id(2)] public SnapshotProgress? Snapshot { get; set; }

    /// <summary>Leaves of profiles the segment never had, so that their own older `joined` arriving later is stale.</summary>
    [Id(3)] public RecentLeaves RecentLeaves { get; set; } = new();

    /// <summary>Completed snapshots whose removals wait for <c>Ingest:SnapshotGrace</c>: their own joins may still come.</summary>
    [Id(4)] public List<SnapshotProgress> CompletedSnapshots { get; set; } = [];

    /// <summary>
    /// Snapshots whose joins arrived before their <c>snapshotStarted</c> (markers and joins travel on different
    /// partitions): who they named so far, taken over when the start arrives; the newest two, oldest first.
    /// </summary>
    [Id(5)] public List<SnapshotProgress> EarlySnapshots { get; set; } = [];
}

/// <summary>A full refresh of the segment from upstream: who it has named so far.</summary>
[GenerateSerializer]
public sealed class SnapshotProgress
{
    [Id(0)] public required string SnapshotId { get; init; }

    [Id(1)] public long StartedTicks { get; init; }

    /// <summary>Members the snapshot has named so far: never more than the shard holds slots.</summary>
    [Id(2)] public HashSet<string> Seen { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The occurredAt of its <c>snapshotCompleted</c>: the time of the leaves it causes.</summary>
    [Id(3)] public long CompletedTicks { get; set; }

    /// <summary>When its removals are due: when its <c>snapshotCompleted</c> arrived, plus the grace.</summary>
    [Id(4)] public DateTimeOffset RemoveAfter { get; set; }
}
