using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansExport.Grains.Durability;
using OrleansExport.Grains.Membership;

namespace OrleansExport.Grains;

/// <summary>
/// One slice of an export's members (key "exportId/index"). The rules live in
/// <see cref="ShardMembership"/>; this grain adds capacity leases and batched persistence.
/// </summary>
/// <remarks>
/// Persistence: the whole state is written on a timer (<see cref="ExportOptions.ShardPersistInterval"/>).
/// When a <see cref="IShardJournal"/> is registered (the durable profile), every batch is also appended to
/// the journal before <see cref="ApplyAsync"/> returns, so the stream counts a batch as delivered only once
/// it survives a crash; a new activation replays the journal on top of the last snapshot. Deliveries
/// completed since the snapshot are not journaled: after a crash those contacts are sent again, which
/// ActiveCampaign's upsert by email makes harmless (at-least-once).
/// Placement: random, so an export's shards spread over the silos from the first second (memory and work scale out,
/// and one silo's loss touches only its share); the default would keep them next to their export grain.
/// </remarks>
[Orleans.Placement.RandomPlacement]
public sealed class ExportShardGrain(
    [PersistentState("shard", Constants.ShardStore)] IPersistentState<ShardState> state,
    IOptions<ExportOptions> options,
    TimeProvider time,
    ILogger<ExportShardGrain> logger,
    IShardJournal? journal = null) : Grain, IExportShardGrain
{
    /// <summary>The journal generation of a shard whose state was never written.</summary>
    private const string InitialGeneration = "initial";

    private ShardMembership _membership = null!;
    private bool _changed;

    /// <summary>A snapshot write failed: whether it reached storage is unknown, so this activation must not journal on.</summary>
    private bool _broken;

    private IGrainTimer? _persistTimer;

    public static string Key(string exportId, int index) => $"{exportId}/{index}";

    private string ShardKey => this.GetPrimaryKeyString();

    private string ExportId => ShardKey[..ShardKey.LastIndexOf('/')];

    private int Index => int.Parse(ShardKey[(ShardKey.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The journal that follows the snapshot now in storage.</summary>
    private string Generation => state.Etag ?? InitialGeneration;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _membership = new ShardMembership(state.State, time);
        if (journal is not null)
        {
            await ReplayJournalAsync(journal, cancellationToken);
        }

        // Leases found in storage belong to an earlier activation whose sender may be gone: send those contacts again.
        _membership.ReleaseLeases();
        if (_membership.PendingEstimate > 0)
        {
            await GrainFactory.GetGrain<IExportGrain>(ExportId).ShardHasPendingAsync(Index);
        }

        _persistTimer = this.RegisterGrainTimer(PersistIfChangedAsync, new GrainTimerCreationOptions
        {
            DueTime = options.Value.ShardPersistInterval,
            Period = options.Value.ShardPersistInterval,
            Interleave = false,
        });
    }

    private async Task ReplayJournalAsync(IShardJournal shardJournal, CancellationToken cancellationToken)
    {
        var entries = await shardJournal.RecoverAsync(ShardKey, Generation, cancellationToken);
        foreach (var entry in entries)
        {
            state.State.CapacityLeft = entry.CapacityLeft;
            _membership.Apply(entry.Events);
        }

        if (entries.Count > 0)
        {
            _changed = true;
            logger.LogInformation("Shard {Shard} replayed {Batches} journaled batches ({Events} events) on its last snapshot",
                ShardKey, entries.Count, entries.Sum(e => e.Events.Length));
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _persistTimer?.Dispose();
        if (!_broken)
        {
            await PersistIfChangedAsync(cancellationToken);
        }
    }

    private async Task PersistIfChangedAsync(CancellationToken cancellationToken)
    {
        if (_changed)
        {
            await WriteSnapshotAsync(cancellationToken);
        }
    }

    private async Task WriteSnapshotAsync(CancellationToken cancellationToken = default)
    {
        var journaled = Generation;
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch (Exception) when (journal is not null)
        {
            // The write may have landed under a new ETag this activation never saw; appending to the old
            // generation could then hide batches from the next activation. Start over from storage instead.
            _broken = true;
            DeactivateOnIdle();
            throw;
        }

        _changed = false;
        ShardStorageMetrics.RecordSnapshotWrite();
        if (journal is not null && journaled != Generation)
        {
            try
            {
                await journal.DeleteAsync(ShardKey, journaled, cancellationToken);
            }
            catch (Exception exception)
            {
                // Harmless: the next activation deletes journals of older generations unread.
                logger.LogWarning("Shard {Shard} could not delete journal {Generation}: {Error}", ShardKey, journaled, exception.GetType().Name);
            }
        }
    }

    /// <summary>In the durable profile, state that the journal does not carry is written before the call returns.</summary>
    private Task WriteSnapshotIfDurableAsync() => journal is null ? Task.CompletedTask : WriteSnapshotAsync();

    public async Task ConfigureAsync(ShardConfig config)
    {
        state.State.Config = config;
        await WriteSnapshotAsync();
    }

    public async Task<ShardApplyResult> ApplyAsync(SegmentEvent[] events)
    {
        if (_broken)
        {
            throw new InvalidOperationException($"Shard {ShardKey} is reloading after a failed write; the batch will be retried.");
        }

        var needed = _membership.CountPotentialNewMembers(events) - state.State.CapacityLeft;
        if (needed > 0)
        {
            var granted = await GrainFactory.GetGrain<IExportGrain>(ExportId).LeaseCapacityAsync(needed);
            _membership.AddCapacity(granted);
        }

        if (journal is not null)
        {
            await journal.AppendAsync(ShardKey, Generation, new ShardJournalEntry(state.State.CapacityLeft, events), CancellationToken.None);
            ShardStorageMetrics.RecordJournalAppend();
        }

        _changed = true;
        return _membership.Apply(events);
    }

    public Task<OutgoingContact[]> TakePendingAsync(int max)
    {
        var taken = _membership.TakePending(max);
        _changed |= taken.Length > 0;
        return Task.FromResult(taken);
    }

    public Task<ShardCompletion> CompleteAsync(ContactOutcome[] outcomes)
    {
        var run = _membership.Complete(outcomes);
        _changed = true;
        return Task.FromResult(new ShardCompletion(_membership.PendingEstimate, run.Sent, run.Unsubscribed, run.Failed));
    }

    public Task<ShardCounters> GetCountersAsync() => Task.FromResult(_membership.GetCounters());

    public async Task<long> BeginRunAsync(string runId)
    {
        _changed = true;
        var total = _membership.BeginRun(runId);
        await WriteSnapshotIfDurableAsync();
        return total;
    }

    public async Task CancelRunAsync(string runId)
    {
        _membership.CancelRun(runId);
        _changed = true;
        await WriteSnapshotIfDurableAsync();
    }

    public Task<IReadOnlyList<Rejection>> GetRejectionsAsync(int limit) => Task.FromResult(_membership.GetRejections(limit));

    public Task ReleaseLeasesAsync()
    {
        _membership.ReleaseLeases();
        _changed = true;
        return Task.CompletedTask;
    }

    public async Task ClearAsync()
    {
        _changed = false;
        await state.ClearStateAsync();
        if (journal is not null)
        {
            await journal.DeleteAllAsync(ShardKey, CancellationToken.None);
        }

        state.State = new ShardState();
        _membership = new ShardMembership(state.State, time);
        DeactivateOnIdle();
    }
}
