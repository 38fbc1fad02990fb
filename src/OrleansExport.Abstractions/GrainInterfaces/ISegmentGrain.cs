using Orleans.Concurrency;

namespace OrleansExport;

/// <summary>
/// One segment (key: segment id): the implicit consumer of its stream. Routes each batch to its shards,
/// keeps the list of exports that take its changes, and backfills an export with the current members.
/// </summary>
public interface ISegmentGrain : IGrainWithStringKey
{
    /// <summary>Subscribes an export and sends it every current member; idempotent (a repeat sends them again).</summary>
    Task AddExportAsync(ExportSubscription export);

    Task RemoveExportAsync(string exportId);

    /// <summary>Sends every current member to an export again (its mapping changed).</summary>
    Task BackfillAsync(ExportSubscription export);

    /// <summary>Null when the segment never received an event.</summary>
    Task<SegmentView?> GetAsync();

    /// <summary>Bytes the segment's shards' member tables hold (load tests and diagnostics).</summary>
    Task<long> GetStateBytesAsync();

    /// <summary>
    /// Erasures that reached another segment's stream, re-addressed to this one: the profile leaves every segment.
    /// Interleaves with the batch this segment may be applying (its shards keep the order), so that two segments
    /// spreading erasures to each other never wait on each other.
    /// </summary>
    [AlwaysInterleave]
    Task EraseAsync(SegmentEvent[] erasures);
}
