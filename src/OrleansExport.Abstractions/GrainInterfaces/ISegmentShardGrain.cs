namespace OrleansExport;

/// <summary>
/// One slice of a segment's membership (key "segmentId/index", same hash of profileId as export shards):
/// dedupe, ordering, snapshots and each member's latest attributes, stored once for every export.
/// </summary>
public interface ISegmentShardGrain : IGrainWithStringKey
{
    /// <summary>Applies a batch and forwards what changed to the exports' shards; returns once both are durable.</summary>
    Task<SegmentApplyResult> ApplyAsync(SegmentEvent[] events, ExportSubscription[] exports);

    /// <summary>Sends every current member, with its latest attributes, to the export's shards.</summary>
    Task<long> BackfillAsync(ExportSubscription export);

    /// <summary>
    /// Removes the members that completed snapshots did not name, once their grace (<c>Ingest:SnapshotGrace</c>) has
    /// passed, and forwards the leaves to the exports' shards; returns once both are durable.
    /// </summary>
    Task<SegmentApplyResult> RemoveDueSnapshotMembersAsync(ExportSubscription[] exports);

    /// <summary>Bytes the shard's member table holds (slots, arena, index): what segment state costs in memory.</summary>
    Task<long> GetStateBytesAsync();
}
