using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansExport.Grains.Delivery;
using OrleansExport.Grains.Durability;

namespace OrleansExport.Grains.ExportShards;

/// <summary>
/// What one export keeps per member of one slice of its segments (key "exportId/index"): what was
/// sent and accepted, list status, rejections, caps. The rules live in <see cref="ExportShardRules"/>;
/// this grain adds capacity leases (from the connection, which holds both caps) and persistence
/// (<see cref="JournaledShardState{TState}"/>).
/// </summary>
/// <remarks>
/// Segment shards forward each change here before their own batch counts as applied, so the journal
/// makes both durable together. Completed deliveries are journaled too, in the same order, and a shard that
/// comes back keeps its leases for the export's delivery loop to answer, so after a crash only the contacts in
/// flight in a delivery loop that died are sent again (ActiveCampaign's upsert by email makes that harmless).
/// Placement: random, so an export's shards spread over the silos from the first second (memory and work scale out,
/// and one silo's loss touches only its share); the default would keep them next to their export grain.
/// </remarks>
[Orleans.Placement.RandomPlacement]
public sealed class ExportShardGrain(
    [PersistentState("shard", Constants.ShardStore)] IPersistentState<ExportShardState> state,
    IOptions<ExportOptions> options,
    TimeProvider time,
    ILogger<ExportShardGrain> logger,
    IShardJournal? journal = null) : Grain, IExportShardGrain
{
    private ExportShardRules _membership = null!;
    private JournaledShardState<ExportShardState> _store = null!;
    private long _erasuresForgotten;

    // Deliveries of the export's journal taken since this shard's last own entry (named in the next one).
    private readonly List<long> _deliveriesSinceAppend = [];

    public static string Key(string exportId, int index) => $"{exportId}/{index}";

    private string ShardKey => this.GetPrimaryKeyString();

    private string ExportId => ShardKey[..ShardKey.LastIndexOf('/')];

    private IExportGrain Export => GrainFactory.GetGrain<IExportGrain>(ExportId);

    private int Index => int.Parse(ShardKey[(ShardKey.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _store = new JournaledShardState<ExportShardState>(state, journal, ShardKey, logger, () => state.State.Members.Count) { OnBroken = DeactivateOnIdle };
        _membership = new ExportShardRules(state.State, time);
        var exportJournal = journal is null ? null : ImportOutcomes.Read(await journal.ReadAllAsync(AcceptedImports.JournalKey(ExportId), cancellationToken));
        var replay = new ShardReplay(_membership, state.State, exportJournal, options.Value.ImportFailureRetries);
        replay.Replay(await _store.RecoverAsync(cancellationToken));
        if (replay.Changed)
        {
            _store.MarkChanged();
        }

        SnapshotSoonAfterForgettingErasures();

        await ReportPendingAsync(overdue: true);

        _store.PersistEvery(this, options.Value.ShardPersistInterval);
        var leaseCheck = options.Value.LeaseTimeout / 4;
        this.RegisterGrainTimer(ExpireLeasesAsync, new GrainTimerCreationOptions { DueTime = leaseCheck, Period = leaseCheck });
    }

    /// <summary>Leases whose answer or outcome was lost go back to pending, and the export hears of them.</summary>
    private async Task ExpireLeasesAsync(CancellationToken cancellationToken)
    {
        if (_membership.ExpireLeases(options.Value.LeaseTimeout) > 0)
        {
            _store.MarkChanged();
            SnapshotSoonAfterForgettingErasures();
            await ReportPendingAsync(overdue: true);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _store.StopAsync(reason, cancellationToken);

    public async Task ConfigureAsync(ShardConfig config)
    {
        _membership.Configure(config);
        var released = _membership.ReleaseFreedCapacity();
        _store.MarkChanged();
        await _store.WriteSnapshotAsync();
        await ReturnCapacityAsync(released);
        await ReportPendingAsync(overdue: false);
    }

    public async Task<ShardApplyResult> ApplyAsync(SegmentEvent[] events)
    {
        _store.ThrowIfBroken();
        var needed = _membership.CountPotentialNewMembers(events) - state.State.CapacityLeft;
        if (needed > 0)
        {
            var config = await CapacityConfigAsync();
            var granted = config?.ConnectionId is { } connectionId
                ? await GrainFactory.GetGrain<IConnectionGrain>(connectionId).LeaseCapacityAsync(ExportId, config.MaxProfilesPerExport ?? options.Value.MaxProfilesPerExport, needed)
                : 0;
            _membership.AddCapacity(granted);
        }

        await AppendAsync(ShardJournalEntry.Applied(state.State.CapacityLeft, events));
        _store.SnapshotAfterErasures(events);

        var result = _membership.Apply(events);
        SnapshotSoonAfterForgettingErasures();
        ExportMetrics.RecordApplied(ExportId, result);
        await ReturnCapacityAsync(_membership.ReleaseFreedCapacity());
        await ReportPendingAsync(overdue: false);
        return result;
    }

    /// <summary>
    /// Slots freed here go back to the connection. A crash before the call keeps them from the cap (the replayed batch
    /// releases them again, unreturned): the cap may be under-used after a crash, never exceeded.
    /// </summary>
    private async Task ReturnCapacityAsync(long released)
    {
        if (released > 0 && (await CapacityConfigAsync())?.ConnectionId is { } connectionId)
        {
            await GrainFactory.GetGrain<IConnectionGrain>(connectionId).ReturnCapacityAsync(ExportId, released);
        }
    }

    /// <summary>
    /// The configuration with the connection that grants slots. One stored before shards leased from the connection
    /// learns it from the export once (a read: the export calls nothing back).
    /// </summary>
    private async Task<ShardConfig?> CapacityConfigAsync()
    {
        if (state.State.Config is not { ConnectionId: null } stored)
        {
            return state.State.Config;
        }

        if (await Export.GetShardConfigAsync() is { } current)
        {
            state.State.Config = stored with { ConnectionId = current.ConnectionId, MaxProfilesPerExport = current.MaxProfilesPerExport };
            _store.MarkChanged();
        }

        return state.State.Config;
    }

    public async Task ResetDeliveryAsync()
    {
        _membership.ResetDelivery();
        _store.MarkChanged();
        await _store.WriteSnapshotIfDurableAsync();
        await ReportPendingAsync(overdue: false);
    }

    /// <summary>
    /// The export's delivery loop learns of work from here: changes reach the shard from its segments, and a
    /// changed definition (leaves, a new list) makes contacts pending too.
    /// </summary>
    private Task ReportPendingAsync(bool overdue) =>
        _membership.PendingEstimate > 0 ? Export.ShardHasPendingAsync(Index, _membership.PendingEstimate, overdue) : Task.CompletedTask;

    public Task<OutgoingContact[]> TakePendingAsync(int max, bool holdUnsubscribes)
    {
        var taken = _membership.TakePending(max, holdUnsubscribes);
        if (taken.Length > 0)
        {
            _store.MarkChanged();
        }

        SnapshotSoonAfterForgettingErasures();

        return Task.FromResult(taken);
    }

    /// <summary>
    /// Durable before it is applied and answered, so that a crash does not send the accepted contacts again: in the
    /// export's journal (<paramref name="journaled"/>: the next entry here names the delivery, for a replay to apply it
    /// in its place, <see cref="ShardReplay"/>), else here. A delivery this state holds already is not taken again.
    /// </summary>
    public async Task<ShardCompletion> CompleteAsync(ContactOutcome[] outcomes, bool journaled, long delivery, long handedThrough)
    {
        _store.ThrowIfBroken();
        if (delivery > 0 && _membership.Deliveries.Holds(delivery))
        {
            _membership.Deliveries.Note(0, handedThrough);
            return new ShardCompletion(_membership.PendingEstimate, 0, 0, 0);
        }

        var completed = _membership.OutcomesOfLeasedContacts(outcomes);
        if (completed.Length > 0 && !journaled)
        {
            await AppendAsync(ShardJournalEntry.Completion(completed, delivery));
        }

        var run = _membership.CompleteTaken(completed);
        _membership.Deliveries.Note(delivery, handedThrough);
        if (journaled && delivery > 0)
        {
            _deliveriesSinceAppend.Add(delivery);
        }

        _store.MarkChanged();
        SnapshotSoonAfterForgettingErasures();
        return new ShardCompletion(_membership.PendingEstimate, run.Sent, run.Unsubscribed, run.Failed);
    }

    /// <summary>Appends an entry of this shard's own, naming the deliveries of the export's journal taken since the entry before.</summary>
    private async Task AppendAsync(ShardJournalEntry entry)
    {
        long[] taken = [.. _deliveriesSinceAppend];
        await _store.AppendAsync(taken.Length > 0 ? entry with { DeliveriesBefore = taken } : entry);
        _deliveriesSinceAppend.RemoveRange(0, taken.Length);
    }

    /// <summary>The journals and the snapshot still hold the email of a profile whose erasure completed here: the next tick replaces them.</summary>
    private void SnapshotSoonAfterForgettingErasures()
    {
        if (_membership.ErasuresForgotten != _erasuresForgotten)
        {
            _erasuresForgotten = _membership.ErasuresForgotten;
            _store.MarkChanged();
            _store.RequestSnapshot();
        }
    }

    /// <summary>The export starts a new generation of its journal: what this shard took from the old one must be in its snapshot.</summary>
    public async Task<long> PersistAsync(long handedThrough)
    {
        _store.ThrowIfBroken();
        _membership.Deliveries.Note(0, handedThrough);
        _store.MarkChanged();
        await _store.WriteSnapshotAsync();
        return state.State.DeliveriesThrough;
    }

    public Task<ShardCounters> GetCountersAsync() => Task.FromResult(_membership.GetCounters());

    public Task<int> GetPendingAsync() => Task.FromResult(_membership.PendingEstimate);

    /// <summary>Journaled (a few bytes, replayed as the same marking) rather than a snapshot of every member's new flag.</summary>
    public async Task<long> BeginRunAsync(string runId)
    {
        _store.ThrowIfBroken();
        await AppendAsync(ShardJournalEntry.BeginningOfRun(runId));
        return _membership.BeginRun(runId);
    }

    public async Task CancelRunAsync(string runId)
    {
        _store.ThrowIfBroken();
        await AppendAsync(ShardJournalEntry.CancellingOfRun(runId));
        _membership.CancelRun(runId);
    }

    public Task<IReadOnlyList<Rejection>> GetRejectionsAsync(RejectionKind? kind, int limit) => Task.FromResult(_membership.GetRejections(kind, limit));

    public Task<ShardRejections> GetRejectionSummaryAsync() => Task.FromResult(_membership.GetRejectionSummary());

    /// <summary>Journaled: a lease of the gone sender that came back with the snapshot would never be answered nor sent again.</summary>
    public async Task ReleaseLeasesAsync()
    {
        _store.ThrowIfBroken();
        await AppendAsync(ShardJournalEntry.ReleaseOfLeases());
        _membership.ReleaseLeases();
        SnapshotSoonAfterForgettingErasures();
    }

    public Task<int> LearnAsync(string email, ListSignal signal) =>
        ApplyFactsAsync(ShardReconciliation.FromWebhook(state.State.Members, email, signal));

    public Task BeginReconciliationAsync(string reconciliationId)
    {
        _membership.BeginReconciliation(reconciliationId);
        return Task.CompletedTask;
    }

    public async Task<ReconcileChunkResult> ReconcileChunkAsync(string reconciliationId, int status, string[] emails, string[] contactIds)
    {
        if (_membership.Reconcile(reconciliationId, (ActiveCampaign.ContactListStatus)status, emails, contactIds) is not { } read)
        {
            // Reactivated, or moved to another list, since the reconciliation began: it learns nothing more here.
            return new ReconcileChunkResult(new bool[emails.Length], 0);
        }

        if (read.Matched.Contains(true))
        {
            // Contact ids learned are kept with the next snapshot; one lost to a crash is read again by the next reconciliation.
            _store.MarkChanged();
        }

        await ApplyFactsAsync(read.Facts);
        return new ReconcileChunkResult(read.Matched, read.Facts.Count(f => f.Kind == ListFactKind.OptedOut));
    }

    public async Task<ReconcileEndResult> EndReconciliationAsync(string reconciliationId)
    {
        if (_membership.EndReconciliation(reconciliationId) is not { } missing)
        {
            return new ReconcileEndResult(0, 0, Complete: false);
        }

        await ApplyFactsAsync(missing);
        return new ReconcileEndResult(missing.Count, missing.Count, Complete: true);
    }

    /// <summary>Journaled before they are applied, like outcomes: an opt-out learned is never lost to a crash.</summary>
    private async Task<int> ApplyFactsAsync(List<ListFact> facts)
    {
        if (facts.Count == 0)
        {
            return 0;
        }

        _store.ThrowIfBroken();
        await AppendAsync(ShardJournalEntry.Learned([.. facts]));
        _membership.ApplyListFacts(facts);
        _store.MarkChanged();
        SnapshotSoonAfterForgettingErasures();
        await ReportPendingAsync(overdue: false);
        return facts.Count;
    }

    public Task<UnsubscribeFigures> GetUnsubscribeFiguresAsync(bool countSubscribed) => Task.FromResult(_membership.GetUnsubscribeFigures(countSubscribed));

    public Task<SendPreview> PreviewAsync(bool asRun, bool holding) => Task.FromResult(_membership.Preview(asRun, holding));

    public Task<MemberStory?> GetMemberAsync(string profileId) => Task.FromResult(_membership.Story(profileId));

    public Task<MemberStory?> FindMemberByEmailAsync(string email) => Task.FromResult(_membership.FindByEmail(email));

    public async Task ClearAsync()
    {
        await _store.ClearAsync();
        _membership = new ExportShardRules(state.State, time);
        DeactivateOnIdle();
    }
}
