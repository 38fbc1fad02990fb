using Microsoft.Extensions.Logging;

namespace OrleansExport.Grains.Durability;

/// <summary>
/// How a shard grain persists its state. Without a <see cref="IShardJournal"/> (memory profile), the whole state when the
/// grain deactivates and when asked (an erasure): memory storage keeps what it is given as a serialized copy, which on a
/// timer would only double the heap of a silo that loses everything when it stops anyway. With one (the durable profile), every batch is appended to the journal before the grain
/// answers, so a batch that was acknowledged survives a crash, and a new activation replays the journal on its last
/// snapshot; the whole state is written rarely: once the journal since the snapshot holds twice as many items (events,
/// outcomes, facts) as the shard has members (<paramref name="members"/>), so that the snapshots cost about half what the
/// journal does and a recovery replays at most that; also after <see cref="MaxJournalEntriesPerSnapshot"/> appends or
/// <see cref="MaxJournalBytesPerSnapshot"/>, <see cref="MaxSnapshotAge"/> after the last snapshot if anything changed,
/// and when asked.
/// </summary>
public sealed class JournaledShardState<TState>(IPersistentState<TState> state, IShardJournal? journal, string journalKey, ILogger logger, Func<long>? members = null)
    where TState : class, new()
{
    /// <summary>The journal generation of a shard whose state was never written.</summary>
    private const string InitialGeneration = "initial";

    /// <summary>A small shard's journal may grow to this many items before a snapshot.</summary>
    public const int MinJournalItemsPerSnapshot = 20_000;

    /// <summary>Appends per snapshot at most: an append blob holds 50,000 blocks.</summary>
    public const int MaxJournalEntriesPerSnapshot = 5_000;

    /// <summary>Journal bytes per snapshot at most, however large the events: a recovery reads the journal whole.</summary>
    public const long MaxJournalBytesPerSnapshot = 64L * 1024 * 1024;

    /// <summary>How long a change the journal does not carry (leases, contact ids learned) may wait for a snapshot.</summary>
    public static readonly TimeSpan MaxSnapshotAge = TimeSpan.FromMinutes(10);

    private bool _changed;
    private IGrainTimer? _persistTimer;
    private long _journalItems;
    private long _journalBytes;
    private int _journalEntries;
    private long _snapshotAt = Environment.TickCount64;
    private bool _snapshotRequested;

    public TState State => state.State;

    public bool Durable => journal is not null;

    /// <summary>A snapshot or journal write failed: whether it reached storage is unknown, so this activation must not go on.</summary>
    public bool Broken { get; private set; }

    /// <summary>The journal that follows the snapshot now in storage.</summary>
    private string Generation => state.Etag ?? InitialGeneration;

    public void MarkChanged() => _changed = true;

    /// <summary>Every <paramref name="interval"/>, on the grain's own turn, writes the state if a snapshot is due (without a journal: only when asked).</summary>
    public void PersistEvery(IGrainBase grain, TimeSpan interval) =>
        _persistTimer = grain.RegisterGrainTimer(PersistIfDueAsync, new GrainTimerCreationOptions
        {
            DueTime = interval,
            Period = interval,
            Interleave = false,
        });

    /// <summary>The grain deactivates: a last write of what changed.</summary>
    /// <remarks>
    /// Not without a journal when the silo shuts down: memory storage goes with it (its grains are leaving too, and a
    /// write would only fail), and what a memory-profile silo held is gone anyway.
    /// </remarks>
    public async Task StopAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _persistTimer?.Dispose();
        if (journal is null && reason.ReasonCode == DeactivationReasonCode.ShuttingDown)
        {
            return;
        }

        await PersistIfChangedAsync(cancellationToken);
    }

    /// <summary>The entries journaled since the last snapshot, to replay on it in order.</summary>
    public async Task<IReadOnlyList<ShardJournalEntry>> RecoverAsync(CancellationToken cancellationToken)
    {
        if (journal is null)
        {
            return [];
        }

        var entries = await journal.RecoverAsync(journalKey, Generation, cancellationToken);
        if (entries.Count > 0)
        {
            _changed = true;
            _journalEntries = entries.Count;
            _journalItems = entries.Sum(e => e.Items);
            _journalBytes = entries.Sum(e => e.EstimatedBytes);
            ShardStateLog.Replaying(logger, journalKey, entries.Count, entries.Sum(e => e.EventCount), entries.Sum(e => e.Outcomes?.Length ?? 0));
        }

        return entries;
    }

    /// <summary>Makes one applied batch (or completion) durable (nothing to do without a journal: the timer writes the state).</summary>
    public async Task AppendAsync(ShardJournalEntry entry)
    {
        ThrowIfBroken();
        _changed = true;
        if (journal is null)
        {
            return;
        }

        try
        {
            await journal.AppendAsync(journalKey, Generation, entry, CancellationToken.None);
            _journalEntries++;
            _journalItems += entry.Items;
            _journalBytes += entry.EstimatedBytes;
        }
        catch (Exception)
        {
            // The batch is applied in memory but maybe not in storage: reload rather than answer for it later.
            MarkBroken();
            throw;
        }

        ShardStorageMetrics.RecordJournalAppend();
    }

    public void ThrowIfBroken()
    {
        if (Broken)
        {
            throw new InvalidOperationException($"Shard {journalKey} is reloading after a failed write; the batch will be retried.");
        }
    }

    private Task PersistIfDueAsync(CancellationToken cancellationToken) =>
        SnapshotDue ? PersistIfChangedAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>The next tick writes the state (an erasure: the journal holds what must be gone).</summary>
    public void RequestSnapshot() => _snapshotRequested = true;

    /// <summary>Events applied (or replayed) here: after an erasure, the journal still holds what the profile's earlier events said.</summary>
    public void SnapshotAfterErasures(IEnumerable<SegmentEvent> events)
    {
        if (events.Any(e => e.Type == SegmentEventType.Erased))
        {
            RequestSnapshot();
        }
    }

    private bool SnapshotDue =>
        _snapshotRequested
        || journal is not null && (_journalItems >= Math.Max(MinJournalItemsPerSnapshot, 2 * (members?.Invoke() ?? 0))
            || _journalEntries >= MaxJournalEntriesPerSnapshot
            || _journalBytes >= MaxJournalBytesPerSnapshot
            || TimeSpan.FromMilliseconds(Environment.TickCount64 - _snapshotAt) >= MaxSnapshotAge);

    public async Task PersistIfChangedAsync(CancellationToken cancellationToken)
    {
        if (_changed && !Broken)
        {
            await WriteSnapshotAsync(cancellationToken);
        }
    }

    /// <summary>In the durable profile, state that the journal does not carry is written before the call returns.</summary>
    public Task WriteSnapshotIfDurableAsync() => journal is null ? Task.CompletedTask : WriteSnapshotAsync();

    public async Task WriteSnapshotAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfBroken();
        var journaled = Generation;
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch (Exception) when (journal is not null)
        {
            // The write may have landed under a new ETag this activation never saw; appending to the old
            // generation could then hide batches from the next activation. Start over from storage instead.
            MarkBroken();
            throw;
        }

        _changed = false;
        _journalItems = 0;
        _journalBytes = 0;
        _journalEntries = 0;
        _snapshotRequested = false;
        _snapshotAt = Environment.TickCount64;
        ShardStorageMetrics.RecordSnapshotWrite();
        if (journal is not null && journaled != Generation)
        {
            try
            {
                await journal.DeleteAsync(journalKey, journaled, cancellationToken);
            }
            catch (Exception exception)
            {
                // Harmless: the next activation deletes journals of older generations unread.
                ShardStateLog.JournalNotDeleted(logger, journalKey, journaled, exception.GetType().Name);
            }
        }
    }

    /// <summary>Forgets the state and its journals (the shard's owner was deleted).</summary>
    public async Task ClearAsync()
    {
        _changed = false;
        await state.ClearStateAsync();
        if (journal is not null)
        {
            await journal.DeleteAllAsync(journalKey, CancellationToken.None);
        }

        state.State = new TState();
    }

    /// <summary>What this activation holds may differ from storage: it must not go on, and reloads.</summary>
    public void MarkBroken()
    {
        Broken = true;
        OnBroken?.Invoke();
    }

    /// <summary>The grain deactivates itself here, to reload from storage.</summary>
    public Action? OnBroken { get; init; }
}
