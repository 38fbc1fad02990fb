using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansExport.Grains.Durability;
using OrleansExport.Grains.ExportShards;

namespace OrleansExport.Grains.Segments;

/// <summary>
/// One slice of a segment (key "segmentId/index"). The rules live in <see cref="SegmentMembership"/>; this
/// grain persists them (<see cref="JournaledShardState{TState}"/>) and forwards every change to the shards
/// of the exports that take the segment.
/// </summary>
/// <remarks>
/// Order of a batch: apply in memory, forward to the exports' shards (each journals before it answers),
/// then journal here. A crash anywhere before the last step leaves the batch unacknowledged: the stream
/// delivers it again, this shard applies it again and forwards it again, and export shards drop the repeats.
/// Without a journal (the memory profile) storage lags up to a persist interval and may lack batches already
/// acknowledged: a failed forward then keeps the state and forwards its changes again before the next batch.
/// </remarks>
[Orleans.Placement.RandomPlacement]
public sealed partial class SegmentShardGrain(
    [PersistentState("segmentShard", Constants.ShardStore)] IPersistentState<SegmentShardState> state,
    IOptions<ExportOptions> options,
    IOptions<SegmentIngestOptions> ingestOptions,
    TimeProvider time,
    ILogger<SegmentShardGrain> logger,
    IShardJournal? journal = null) : Grain, ISegmentShardGrain
{
    /// <summary>
    /// Most members per page when backfilling an export (a page is split over the export's shards): bounded messages, and
    /// few of them, since each export shard journals each call it gets with one append.
    /// </summary>
    public const int BackfillPageMembers = 32_000;

    /// <summary>
    /// Most estimated bytes per backfill page, however large the members' attributes: far below Orleans' largest message
    /// body (100 MB by default); a journal frame over 4 MiB (an export of one shard) takes several appends.
    /// </summary>
    public const int BackfillPageBytes = 8 * 1024 * 1024;

    private SegmentMembership _membership = null!;

    /// <summary>Changes applied here whose forward failed (memory profile): forwarded before anything else.</summary>
    private readonly List<SegmentEvent> _unforwarded = [];
    private JournaledShardState<SegmentShardState> _store = null!;

    public static string Key(string segmentId, int index) => $"{segmentId}/{index}";

    private string ShardKey => this.GetPrimaryKeyString();

    private string SegmentId => ShardKey[..ShardKey.LastIndexOf('/')];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Segment and export ids may coincide: the journal keys of segments are apart.
        _store = new JournaledShardState<SegmentShardState>(state, journal, $"segment:{ShardKey}", logger, () => state.State.MemberCount) { OnBroken = DeactivateOnIdle };
        _membership = new SegmentMembership(state.State, time, ingestOptions.Value.SnapshotGrace);
        foreach (var entry in await _store.RecoverAsync(cancellationToken))
        {
            var events = entry.ReadEvents();
            _membership.Apply(events);
            _store.SnapshotAfterErasures(events);
        }

        _store.PersistEvery(this, options.Value.ShardPersistInterval);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _store.StopAsync(reason, cancellationToken);

    public async Task<SegmentApplyResult> ApplyAsync(SegmentEvent[] events, ExportSubscription[] exports)
    {
        _store.ThrowIfBroken();
        await ForwardUnforwardedAsync(exports);
        var outcome = _membership.Apply(events);
        _store.MarkChanged();
        await ForwardOrKeepAsync(outcome.Forward, exports);

        await _store.AppendAsync(ShardJournalEntry.Applied(0, events));
        _store.SnapshotAfterErasures(events);

        var result = new SegmentApplyResult(outcome.Applied, outcome.Duplicates, outcome.Stale, _membership.MemberCount, _membership.NextRemovalDue);
        ExportMetrics.RecordSegmentBatch(SegmentId, events.Length, result);
        return result;
    }

    public async Task<SegmentApplyResult> RemoveDueSnapshotMembersAsync(ExportSubscription[] exports)
    {
        _store.ThrowIfBroken();
        await ForwardUnforwardedAsync(exports);
        var outcome = _membership.RemoveDue(SegmentId);
        if (outcome.Forward.Count > 0)
        {
            _store.MarkChanged();
            await ForwardOrKeepAsync(outcome.Forward, exports);

            // Journaled as the leaves they are: replayed on the snapshot, they remove the same members (a member that
            // joined again since keeps a newer clock, so its leave is stale).
            await _store.AppendAsync(ShardJournalEntry.Applied(0, outcome.Forward));
            LogSnapshotRemovals(logger, ShardKey, outcome.Forward.Count);
        }

        return new SegmentApplyResult(0, 0, 0, _membership.MemberCount, _membership.NextRemovalDue);
    }

    /// <summary>Forwards what was applied here; when that fails, makes sure the changes are forwarded again.</summary>
    private async Task ForwardOrKeepAsync(List<SegmentEvent> changes, ExportSubscription[] exports)
    {
        try
        {
            await ForwardAsync(changes, exports);
        }
        catch (Exception) when (!_store.Durable)
        {
            // Reloading would go back to a snapshot that may lack acknowledged batches: keep them, forward these later.
            _unforwarded.AddRange(changes);
            throw;
        }
        catch (Exception)
        {
            // Applied here, not everywhere, and not journaled: reload so the redelivered batch is applied (and forwarded) again.
            _store.MarkBroken();
            throw;
        }
    }

    /// <summary>The exports of the call that follows a failed forward: an export added since had them in its backfill.</summary>
    private async Task ForwardUnforwardedAsync(ExportSubscription[] exports)
    {
        if (_unforwarded.Count > 0)
        {
            await ForwardAsync(_unforwarded, exports);
            _unforwarded.Clear();
        }
    }

    public async Task<long> BackfillAsync(ExportSubscription export)
    {
        var backfillId = $"backfill:{Guid.NewGuid():N}";
        long sent = 0;
        foreach (var page in SegmentEventPages.Split(_membership.Backfill(SegmentId, backfillId), BackfillPageMembers, BackfillPageBytes))
        {
            await ForwardAsync(page, [export]);
            sent += page.Count;
        }

        return sent;
    }

    public Task<long> GetStateBytesAsync() => Task.FromResult(state.State.Members.AllocatedBytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Segment shard {Shard}: {Members} members the completed snapshot did not name left after its grace")]
    private static partial void LogSnapshotRemovals(ILogger logger, string shard, int members);

    private Task ForwardAsync(IReadOnlyCollection<SegmentEvent> changes, ExportSubscription[] exports)
    {
        if (changes.Count == 0 || exports.Length == 0)
        {
            return Task.CompletedTask;
        }

        var calls = new List<Task>();
        foreach (var export in exports)
        {
            var buckets = ShardRouter.Split(changes, export.ShardCount);
            for (var i = 0; i < buckets.Length; i++)
            {
                if (buckets[i] is { } bucket)
                {
                    calls.Add(GrainFactory.GetGrain<IExportShardGrain>(ExportShardGrain.Key(export.ExportId, i)).ApplyAsync([.. bucket]));
                }
            }
        }

        return Task.WhenAll(calls);
    }
}
