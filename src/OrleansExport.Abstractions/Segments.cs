namespace OrleansExport;

/// <summary>A segment's membership as the cluster holds it (GET /api/segments).</summary>
[GenerateSerializer, Immutable]
public sealed record SegmentView(
    [property: Id(0)] string SegmentId,
    [property: Id(1)] long Members,
    [property: Id(2)] DateTimeOffset? LastEventAt,
    [property: Id(3)] IReadOnlyList<string> ExportIds,
    [property: Id(4)] long EventsReceived);

/// <summary>An export that takes a segment's changes, with the shard count that routes them to its shards.</summary>
[GenerateSerializer, Immutable]
public sealed record ExportSubscription(
    [property: Id(0)] string ExportId,
    [property: Id(1)] int ShardCount);

/// <summary>What a segment shard did with one batch.</summary>
/// <param name="Members">Profiles in the segment in this shard after the batch.</param>
/// <param name="SnapshotRemovalDue">When the shard's earliest completed snapshot removes the members it did not name; null when none waits.</param>
[GenerateSerializer, Immutable]
public sealed record SegmentApplyResult(
    [property: Id(0)] int Applied,
    [property: Id(1)] int Duplicates,
    [property: Id(2)] int Stale,
    [property: Id(3)] long Members,
    [property: Id(4)] DateTimeOffset? SnapshotRemovalDue = null);
