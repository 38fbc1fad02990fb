using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace OrleansExport.Grains.Segments;

/// <summary>
/// One segment (key: segment id): the implicit subscriber of its streams (one, or one per Event Hubs partition), so every event becomes segment
/// state whether or not an export takes the segment yet. Routes each batch to the shards and tells them
/// which exports to forward changes to; subscribes and backfills exports.
/// </summary>
/// <remarks>
/// Not reentrant: a backfill runs between two batches, so an export receives every member exactly once
/// from the backfill or from the batches after it, never neither. A completed snapshot's removals wait for
/// <c>Ingest:SnapshotGrace</c> in its shards' state; a timer asks the shards to do them when due, and a reminder
/// does after a restart (it fires at most a minute late).
/// </remarks>
[RegexImplicitStreamSubscription(Constants.SegmentStreamNamespacePattern)]
public sealed partial class SegmentGrain(
    [PersistentState("segment", Constants.ExportStore)] IPersistentState<SegmentState> state,
    IOptions<ExportOptions> options,
    IOptions<SegmentIngestOptions> ingestOptions,
    TimeProvider time,
    ILogger<SegmentGrain> logger) : Grain, ISegmentGrain, IAsyncBatchObserver<SegmentEventBatch>, IStreamSubscriptionObserver, IRemindable
{
    private const string SnapshotRemovalsReminder = "snapshot-removals";

    private bool _changed;
    private IGrainTimer? _persistTimer;
    private IGrainTimer? _removalTimer;
    private DateTimeOffset? _removalDue;

    private string SegmentId => this.GetPrimaryKeyString();

    private bool Known => state.State.ShardCount > 0;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _persistTimer = this.RegisterGrainTimer(PersistIfChangedAsync, new GrainTimerCreationOptions
        {
            DueTime = options.Value.ShardPersistInterval,
            Period = options.Value.ShardPersistInterval,
            Interleave = false,
        });
        await ReadmitAsync();
    }

    /// <summary>
    /// A known segment is in the <see cref="SegmentIndex"/> again (idempotent): erasures reach segments through it, and an
    /// index write that failed once must not hide this one for good. It was admitted before, so no limit applies.
    /// </summary>
    private async Task ReadmitAsync()
    {
        if (!Known)
        {
            return;
        }

        try
        {
            await SegmentIndex.AdmitAsync(GrainFactory, SegmentId, int.MaxValue);
        }
        catch (Exception exception)
        {
            LogReadmitFailed(SegmentId, exception.GetType().Name);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _persistTimer?.Dispose();
        await PersistIfChangedAsync(cancellationToken);
    }

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<SegmentEventBatch>().ResumeAsync(this);

    public async Task OnNextAsync(IList<SequentialItem<SegmentEventBatch>> items)
    {
        var events = items.Count == 1 ? items[0].Item.Decode() : [.. items.SelectMany(item => item.Item.Decode())];
        if (events.Count == 0)
        {
            return;
        }

        if (!await EnsureKnownAsync(ingestOptions.Value.MaxSegments))
        {
            await RefuseOverLimitAsync(events);
            return;
        }

        var exports = state.State.Exports.ToArray();
        var buckets = ShardRouter.Split(events, state.State.ShardCount);
        var calls = new List<Task<SegmentApplyResult>>(buckets.Length);
        for (var i = 0; i < buckets.Length; i++)
        {
            if (buckets[i] is { } bucket)
            {
                calls.Add(ApplyToShardAsync(i, [.. bucket], exports));
            }
        }

        // The stream counts the batch as delivered only once every shard (and every export shard) has it.
        var results = await Task.WhenAll(calls);
        await ScheduleSnapshotRemovalsAsync(results.Min(r => r.SnapshotRemovalDue));
        if (events.Where(e => e.Type == SegmentEventType.Erased).ToArray() is { Length: > 0 } erasures)
        {
            await SpreadErasuresAsync(erasures);
        }

        state.State.EventsReceived += events.Count;
        state.State.LastEventAt = MaxOccurredAt(events, state.State.LastEventAt);
        _changed = true;
    }

    /// <summary>
    /// An erasure is about the profile, not this segment: every other segment applies it too (and forwards it to its
    /// exports), and the dead letters forget the profile. A failure fails the batch, which the stream delivers again.
    /// </summary>
    private async Task SpreadErasuresAsync(SegmentEvent[] erasures)
    {
        var segments = await SegmentIndex.ListAsync(GrainFactory);
        var spread = segments.Where(segment => segment != SegmentId)
            .Select(segment => GrainFactory.GetGrain<ISegmentGrain>(segment).EraseAsync([.. erasures.Select(e => e with { SegmentId = segment })]));
        await Task.WhenAll(spread);
        await GrainFactory.GetGrain<IDeadLetterGrain>(IDeadLetterGrain.Key).ForgetProfilesAsync([.. erasures.Select(e => e.ProfileId)]);
        ExportMetrics.RecordErasures(erasures.Length);
    }

    /// <summary>
    /// Events that reached the stream without the HTTP endpoint's check (Event Hubs) for a segment the full cluster
    /// cannot register: dead letters with the reason, and the stream moves on.
    /// </summary>
    private async Task RefuseOverLimitAsync(IReadOnlyList<SegmentEvent> events)
    {
        var reason = $"the cluster already holds Ingest:MaxSegments ({ingestOptions.Value.MaxSegments}) segments; this event would add one more";
        var deadLetters = new DeadLetterCollector();
        var now = time.GetUtcNow();
        foreach (var e in events)
        {
            deadLetters.Add(DeadLetterKind.Malformed, () => new DeadLetter("stream", DeadLetterKind.Malformed, e.EventId, e.SegmentId, e.ProfileId, reason, now));
        }

        await GrainFactory.GetGrain<IDeadLetterGrain>(IDeadLetterGrain.Key).RecordAsync(deadLetters.ToBatch());
        LogSegmentRefused(LogText.Clean(SegmentId), events.Count);
    }

    public async Task EraseAsync(SegmentEvent[] erasures)
    {
        if (!Known)
        {
            return;
        }

        var exports = state.State.Exports.ToArray();
        var buckets = ShardRouter.Split(erasures, state.State.ShardCount);
        await Task.WhenAll(buckets.Select((events, i) => events is null ? Task.CompletedTask : ApplyToShardAsync(i, [.. events], exports)));
        _changed = true;
    }

    private async Task<SegmentApplyResult> ApplyToShardAsync(int index, SegmentEvent[] events, ExportSubscription[] exports)
    {
        var result = await Shard(index).ApplyAsync(events, exports);
        state.State.MembersByShard[index] = result.Members;
        return result;
    }

    /// <summary>Arms the timer for the earliest due removal, and the reminder that survives a restart.</summary>
    private async Task ScheduleSnapshotRemovalsAsync(DateTimeOffset? due)
    {
        if (due is not { } at || (_removalDue is { } armed && armed <= at))
        {
            return;
        }

        _removalDue = at;
        _removalTimer?.Dispose();
        var wait = at - time.GetUtcNow();
        _removalTimer = this.RegisterGrainTimer(RemoveDueSnapshotMembersAsync, new GrainTimerCreationOptions
        {
            DueTime = wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            Period = Timeout.InfiniteTimeSpan,
            Interleave = false,
        });
        var reminderDue = wait > TimeSpan.FromMinutes(1) ? wait : TimeSpan.FromMinutes(1);
        try
        {
            await this.RegisterOrUpdateReminder(SnapshotRemovalsReminder, reminderDue, TimeSpan.FromMinutes(1));
        }
        catch (Exception exception)
        {
            // The timer still removes on time; only a restart before then waits for the segment's next event.
            LogRemovalsReminderFailed(logger, SegmentId, exception.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Segment {SegmentId} could not register its snapshot-removals reminder ({Error}); a restart before the removals are due delays them until the segment's next event")]
    private static partial void LogRemovalsReminderFailed(ILogger logger, string segmentId, string error);

    /// <summary>Asks every shard to do the removals that are due; re-arms for the next, or drops the reminder when none waits.</summary>
    private async Task RemoveDueSnapshotMembersAsync(CancellationToken cancellationToken)
    {
        _removalDue = null;
        if (!Known)
        {
            await DropRemovalsReminderAsync();
            return;
        }

        var exports = state.State.Exports.ToArray();
        var results = await Task.WhenAll(Enumerable.Range(0, state.State.ShardCount).Select(async i =>
        {
            var result = await Shard(i).RemoveDueSnapshotMembersAsync(exports);
            state.State.MembersByShard[i] = result.Members;
            return result;
        }));
        _changed = true;
        if (results.Min(r => r.SnapshotRemovalDue) is { } next)
        {
            await ScheduleSnapshotRemovalsAsync(next);
        }
        else
        {
            await DropRemovalsReminderAsync();
        }
    }

    private async Task DropRemovalsReminderAsync()
    {
        if (await this.GetReminder(SnapshotRemovalsReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == SnapshotRemovalsReminder ? RemoveDueSnapshotMembersAsync(CancellationToken.None) : Task.CompletedTask;

    private static DateTimeOffset? MaxOccurredAt(IReadOnlyList<SegmentEvent> events, DateTimeOffset? current)
    {
        foreach (var e in events)
        {
            if (current is null || e.OccurredAt > current)
            {
                current = e.OccurredAt;
            }
        }

        return current;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(LogText.Clean(SegmentId), ex.GetType().Name);
        return Task.CompletedTask;
    }

    public async Task AddExportAsync(ExportSubscription export)
    {
        // The API registered the export's segments within Ingest:MaxSegments before the export took them.
        await EnsureKnownAsync(int.MaxValue);
        state.State.Exports.RemoveAll(e => e.ExportId == export.ExportId);
        state.State.Exports.Add(export);
        await state.WriteStateAsync();
        var members = await BackfillShardsAsync(export);
        LogBackfilled(export.ExportId, LogText.Clean(SegmentId), members);
    }

    public async Task RemoveExportAsync(string exportId)
    {
        if (state.State.Exports.RemoveAll(e => e.ExportId == exportId) > 0)
        {
            await state.WriteStateAsync();
        }
    }

    public async Task BackfillAsync(ExportSubscription export)
    {
        if (Known && state.State.Exports.Any(e => e.ExportId == export.ExportId))
        {
            await BackfillShardsAsync(export);
        }
    }

    private async Task<long> BackfillShardsAsync(ExportSubscription export)
    {
        var sent = await Task.WhenAll(Enumerable.Range(0, state.State.ShardCount).Select(i => Shard(i).BackfillAsync(export)));
        return sent.Sum();
    }

    public Task<SegmentView?> GetAsync() => Task.FromResult(Known
        ? new SegmentView(SegmentId, state.State.MembersByShard.Sum(), state.State.LastEventAt,
            [.. state.State.Exports.Select(e => e.ExportId)], state.State.EventsReceived)
        : null);

    public async Task<long> GetStateBytesAsync() =>
        (await Task.WhenAll(Enumerable.Range(0, state.State.ShardCount).Select(i => Shard(i).GetStateBytesAsync()))).Sum();

    /// <summary>
    /// The first event or export registers the segment in the <see cref="SegmentIndex"/> and fixes its shard count;
    /// false when the cluster already holds <paramref name="maxSegments"/> other segments.
    /// </summary>
    private async Task<bool> EnsureKnownAsync(int maxSegments)
    {
        if (Known)
        {
            return true;
        }

        if (!await SegmentIndex.AdmitAsync(GrainFactory, SegmentId, maxSegments))
        {
            return false;
        }

        state.State.ShardCount = options.Value.ShardCount;
        state.State.MembersByShard = new long[state.State.ShardCount];
        await state.WriteStateAsync();
        return true;
    }

    private async Task PersistIfChangedAsync(CancellationToken cancellationToken)
    {
        if (_changed)
        {
            _changed = false;
            await state.WriteStateAsync(cancellationToken);
        }
    }

    private ISegmentShardGrain Shard(int index) => GrainFactory.GetGrain<ISegmentShardGrain>(SegmentShardGrain.Key(SegmentId, index));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Segment {SegmentId} could not check its place in the segment index: {Error}; it tries again on its next activation")]
    private partial void LogReadmitFailed(string segmentId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream error for segment {SegmentId}: {Error}")]
    private partial void LogStreamError(string segmentId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId} takes segment {SegmentId}: {Members} members backfilled")]
    private partial void LogBackfilled(string exportId, string segmentId, long members);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Count} events of segment {SegmentId}: the cluster holds Ingest:MaxSegments segments")]
    private partial void LogSegmentRefused(string segmentId, int count);
}
