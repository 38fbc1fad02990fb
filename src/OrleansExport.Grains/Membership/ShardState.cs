namespace OrleansExport.Grains.Membership;

/// <summary>The persisted state of one export shard.</summary>
[GenerateSerializer]
public sealed class ShardState
{
    [Id(0)] public ShardConfig? Config { get; set; }

    // Id 1 held a Dictionary<string, MemberRecord> before the compact layout; never reuse it.
    [Id(7)] public MemberTable Members { get; set; } = new();

    /// <summary>The newest rejections, oldest first, at most <see cref="ShardMembership.MaxRejectionsKept"/>.</summary>
    [Id(2)] public List<Rejection> RecentRejections { get; set; } = [];

    [Id(3)] public long RejectedTotal { get; set; }

    /// <summary>New-member slots leased from the export's caps and not yet used.</summary>
    [Id(4)] public long CapacityLeft { get; set; }

    [Id(5)] public string? RunId { get; set; }

    /// <summary>Snapshots in progress, by the index of their segment in the export.</summary>
    [Id(6)] public Dictionary<int, SnapshotProgress> Snapshots { get; set; } = [];
}

/// <summary>A full refresh of one segment from upstream: who it has named so far.</summary>
[GenerateSerializer]
public sealed class SnapshotProgress
{
    [Id(0)] public required string SnapshotId { get; init; }

    [Id(1)] public long StartedTicks { get; init; }

    [Id(2)] public HashSet<string> Seen { get; init; } = new(StringComparer.Ordinal);
}
