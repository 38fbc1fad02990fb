using OrleansExport.Grains.Delivery;
using OrleansExport.Grains.ExportShards;

namespace OrleansExport.Grains.Durability;

/// <summary>
/// An append-only log of the event batches a shard applied since its last snapshot (and, for an export
/// shard, the delivery outcomes it took). With it, a shard answers <see cref="IExportShardGrain.ApplyAsync"/>
/// and <see cref="IExportShardGrain.CompleteAsync"/> only once what they changed is durable, while the whole
/// shard state is written on a timer: one small append per call instead of one large write.
/// </summary>
/// <remarks>
/// A journal belongs to one snapshot generation (the ETag of the shard state it follows). After a newer
/// snapshot is written, the old generation is deleted; a crash in between leaves it behind, and the next
/// activation deletes it unread, since the newer snapshot already holds its entries.
/// </remarks>
public interface IShardJournal
{
    /// <summary>Appends one entry; returns once the entry is durable.</summary>
    Task AppendAsync(string shardKey, string generation, ShardJournalEntry entry, CancellationToken cancellationToken);

    /// <summary>The entries of <paramref name="generation"/> in append order; deletes the shard's journals of other generations.</summary>
    Task<IReadOnlyList<ShardJournalEntry>> RecoverAsync(string shardKey, string generation, CancellationToken cancellationToken);

    /// <summary>
    /// Every entry of every generation of another owner's journal, read only (nothing is deleted, appends are not
    /// disturbed): an export shard reads its export's delivered outcomes this way when it comes back.
    /// </summary>
    Task<IReadOnlyList<ShardJournalEntry>> ReadAllAsync(string key, CancellationToken cancellationToken);

    /// <summary>Deletes one generation once a newer snapshot holds everything it had.</summary>
    Task DeleteAsync(string shardKey, string generation, CancellationToken cancellationToken);

    /// <summary>Deletes every generation of the shard (its export was deleted).</summary>
    Task DeleteAllAsync(string shardKey, CancellationToken cancellationToken);
}

/// <summary>
/// One applied batch, or one completed delivery: replaying the entries in order on the snapshot they follow
/// reproduces the shard's state.
/// </summary>
/// <param name="CapacityLeft">The shard's unused capacity just before the batch, leases already added.</param>
/// <param name="Events">The batch, as <see cref="IExportShardGrain.ApplyAsync"/> received it, when it is not in <paramref name="Batch"/>; empty for a completion.</param>
/// <param name="Outcomes">
/// A completion (export shards only): the outcomes <see cref="IExportShardGrain.CompleteAsync"/> acted on, so that
/// what ActiveCampaign accepted since the snapshot is not sent again after a crash. Null for a batch, and in
/// journals written before completions were journaled.
/// </param>
/// <param name="Facts">What ActiveCampaign told about members' contacts (a webhook, a reconciliation): opt-outs are never lost.</param>
/// <param name="LeasesReleased">The export released every lease here (its delivery loop started over): replayed, so that no lease of a gone sender comes back.</param>
/// <param name="ImportsAccepted">An export's journal of accepted imports (<see cref="AcceptedImports"/>): imports ActiveCampaign queued.</param>
/// <param name="ImportsConfirmed">An export's journal of accepted imports, as written before <paramref name="Delivered"/>: batch ids whose outcomes the shards were handed.</param>
/// <param name="Batch">
/// The batch in the compact encoding the stream carries (<see cref="SegmentEventBatch"/>): several times cheaper to write
/// and smaller than <paramref name="Events"/>. Every batch of one segment is journaled so (<see cref="Applied"/>).
/// </param>
/// <param name="RunBegun">A full run began in the export shard (<see cref="IExportShardGrain.BeginRunAsync"/>): replayed, it marks the same members.</param>
/// <param name="RunCancelled">The full run was cancelled in the export shard.</param>
/// <param name="DeliveriesBefore">
/// An export shard's entry: the deliveries of its export's journal (their numbers) it took since its entry before, which
/// a replay applies, read from the export's journal, just before this entry: in the order they came.
/// </param>
/// <param name="Delivery">A completion's delivery number in the export's journal (0: none), so that a replay takes that delivery once.</param>
/// <param name="Delivered">
/// An export's journal of accepted imports: deliveries whose outcomes are known, journaled once for every shard (group
/// commit) before the shards are handed them. A shard that comes back replays them on its snapshot.
/// </param>
[GenerateSerializer, Immutable]
public sealed record ShardJournalEntry(
    [property: Id(0)] long CapacityLeft,
    [property: Id(1)] SegmentEvent[] Events,
    [property: Id(2)] ContactOutcome[]? Outcomes = null,
    [property: Id(3)] bool LeasesReleased = false,
    [property: Id(4)] ListFact[]? Facts = null,
    [property: Id(5)] AcceptedImport[]? ImportsAccepted = null,
    [property: Id(6)] string[]? ImportsConfirmed = null,
    [property: Id(7)] DeliveredOutcomes[]? Delivered = null,
    [property: Id(8)] SegmentEventBatch? Batch = null,
    [property: Id(9)] string? RunBegun = null,
    [property: Id(10)] string? RunCancelled = null,
    [property: Id(11)] long[]? DeliveriesBefore = null,
    [property: Id(12)] long Delivery = 0)
{
    public static ShardJournalEntry BeginningOfRun(string runId) => new(0, [], RunBegun: runId);

    public static ShardJournalEntry CancellingOfRun(string runId) => new(0, [], RunCancelled: runId);

    /// <summary>An applied batch: encoded when its events are of one segment (they are, but for an erasure spread to an export).</summary>
    public static ShardJournalEntry Applied(long capacityLeft, IReadOnlyList<SegmentEvent> events) =>
        events.Count > 0 && events.All(e => string.Equals(e.SegmentId, events[0].SegmentId, StringComparison.Ordinal))
            ? new(capacityLeft, [], Batch: SegmentEventBatch.Encode(events[0].SegmentId, events))
            : new(capacityLeft, [.. events]);

    /// <summary>The applied batch's events (none for a completion, facts, released leases or accepted imports).</summary>
    public IReadOnlyList<SegmentEvent> ReadEvents() => Batch?.Decode() ?? Events;

    public int EventCount => Batch?.Count ?? Events.Length;

    /// <summary>About the bytes the entry takes in a journal (the encoded batch as it is, other parts estimated).</summary>
    public long EstimatedBytes => 16 + (Batch?.Encoded.Length ?? Events.Length * 256L) + (Outcomes?.Length ?? 0) * 48L + (Facts?.Length ?? 0) * 96L;

    /// <summary>What the entry weighs in a shard's journal: events, outcomes and facts it holds (at least one).</summary>
    public long Items => Math.Max(1, EventCount + (Outcomes?.Length ?? 0) + (Facts?.Length ?? 0));

    public static ShardJournalEntry Completion(ContactOutcome[] outcomes, long delivery = 0) => new(0, [], outcomes, Delivery: delivery);

    public static ShardJournalEntry ReleaseOfLeases() => new(0, [], LeasesReleased: true);

    public static ShardJournalEntry Learned(ListFact[] facts) => new(0, [], Facts: facts);
}
