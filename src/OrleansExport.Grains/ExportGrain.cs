using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Streams;
using Orleans.Streams.Core;
using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Delivery;
using OrleansExport.Grains.Membership;
using OrleansExport.Grains.Runs;

namespace OrleansExport.Grains;

/// <summary>
/// One export. Routes each stream batch to the shards (hash of profileId), and runs the delivery
/// loop: collects pending contacts from the shards into full batches and hands them to
/// <see cref="BatchSender"/>. Reentrant so that many batches can wait for permits at once.
/// </summary>
[Reentrant]
public sealed class ExportGrain(
    [PersistentState("export", Constants.ExportStore)] IPersistentState<ExportState> state,
    BatchSender sender,
    ApiKeyProtector protector,
    IActiveCampaignClient client,
    IOptions<ExportOptions> options,
    IOptions<ActiveCampaignOptions> activeCampaignOptions,
    TimeProvider time,
    ILogger<ExportGrain> logger) : Grain, IExportGrain, IAsyncBatchObserver<SegmentEvent>, IRemindable
{
    private const string KeepAliveReminder = "keep-delivering";
    private const int MaxSegments = 64;
    private const int MaxNameLength = 256;
    private const int MaxMappedFields = 100;
    private const int MaxTags = 20;
    private const int MaxTagLength = 255;
    private const int MaxScheduleLength = 100;
    private static readonly TimeSpan OutcomeRetryDelay = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly List<OutgoingContact> _carry = [];
    private readonly List<ContactOutcome> _outcomesToRetry = [];
    private int[] _shardPending = [];
    private int _nextShard;
    private int _inFlight;
    private DateTimeOffset? _pendingSince;
    private DateTimeOffset _pausedUntil;
    private string? _pauseReason;
    private bool _changed;
    private IGrainTimer? _pump;
    private DateTimeOffset _pendingReportDue;
    private DateTimeOffset _outcomesRetryAt;

    private string Id => this.GetPrimaryKeyString();

    private ExportOptions Options => options.Value;

    private int MaxContactsPerImport => activeCampaignOptions.Value.Limits.MaxContactsPerImport;

    private bool Active => state.State.Definition is not null && state.State.StoppedReason is null;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!Active)
        {
            return;
        }

        _shardPending = new int[state.State.ShardCount];
        await ResumeSubscriptionsAsync();
        await Catalog.SetExportSegmentsAsync(Id, state.State.Definition!.SegmentIds);

        // A new activation holds no leases: whatever an earlier one leased goes back to pending.
        await ForEachShardAsync(shard => shard.ReleaseLeasesAsync());
        Array.Fill(_shardPending, 1);
        _pendingSince = time.GetUtcNow() - Options.MaxBatchDelay;
        StartPump();
    }

    public async Task<OperationResult<ExportDefinition>> CreateAsync(ExportDefinition definition)
    {
        if (state.State.Definition is not null)
        {
            return OperationResult<ExportDefinition>.Fail(OperationErrorKind.Conflict, $"Export '{Id}' already exists.");
        }

        if (Validate(definition) is { } invalid)
        {
            return new(null, invalid);
        }

        var credentials = await GrainFactory.GetGrain<IConnectionGrain>(definition.ConnectionId).GetCredentialsAsync();
        if (credentials is null)
        {
            return OperationResult<ExportDefinition>.Fail(OperationErrorKind.Unprocessable, $"Connection '{definition.ConnectionId}' does not exist.", "connectionId");
        }

        var account = new ActiveCampaignAccount(credentials.Hostname, protector.Unprotect(credentials.ProtectedApiKey));
        try
        {
            if (!await client.ListExistsAsync(account, definition.ListId, CancellationToken.None))
            {
                return OperationResult<ExportDefinition>.Fail(OperationErrorKind.Unprocessable,
                    $"List '{definition.ListId}' does not exist in the ActiveCampaign account {credentials.Hostname}.", "listId");
            }
        }
        catch (Exception exception) when (exception is ActiveCampaignException or ActiveCampaignAuthException or HttpRequestException)
        {
            return OperationResult<ExportDefinition>.Fail(OperationErrorKind.Unprocessable,
                $"Could not verify list '{definition.ListId}' at {credentials.Hostname}: {exception.Message}", "listId");
        }

        state.State.Definition = definition;
        state.State.ShardCount = Options.ShardCount;
        _shardPending = new int[state.State.ShardCount];
        var config = new ShardConfig(definition.SegmentIds, definition.Mapping, definition.OnLeave);
        await ForEachShardAsync(shard => shard.ConfigureAsync(config));
        await WriteStateAsync();
        await ResumeSubscriptionsAsync();
        await Catalog.AddExportAsync(Id, definition.ConnectionId);
        await Catalog.SetExportSegmentsAsync(Id, definition.SegmentIds);
        await this.RegisterOrUpdateReminder(KeepAliveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        if (definition.Schedule is not null)
        {
            await GrainFactory.GetGrain<IResyncControlGrain>(Id).ConfigureScheduleAsync(definition.Schedule);
        }

        StartPump();
        logger.LogInformation("Export {ExportId} of segments {Segments} to list {ListId} created", Id, string.Join(",", definition.SegmentIds), definition.ListId);
        return OperationResult<ExportDefinition>.Ok(definition);
    }

    private static OperationError? Validate(ExportDefinition definition)
    {
        if (string.IsNullOrWhiteSpace(definition.DisplayName) || definition.DisplayName.Length > 200)
        {
            return new(OperationErrorKind.Invalid, "displayName is required (at most 200 characters).", "displayName");
        }

        if (string.IsNullOrWhiteSpace(definition.ConnectionId))
        {
            return new(OperationErrorKind.Invalid, "connectionId is required.", "connectionId");
        }

        if (string.IsNullOrWhiteSpace(definition.ListId) || definition.ListId.Length > 64)
        {
            return new(OperationErrorKind.Invalid, "listId is required: the id of the ActiveCampaign list to keep in step.", "listId");
        }

        if (definition.SegmentIds.Count is 0 or > MaxSegments || definition.SegmentIds.Any(string.IsNullOrWhiteSpace)
            || definition.SegmentIds.Distinct().Count() != definition.SegmentIds.Count)
        {
            return new(OperationErrorKind.Invalid, $"segmentIds needs 1 to {MaxSegments} distinct, non-empty segment ids.", "segmentIds");
        }

        if (definition.SegmentIds.Any(id => id.Length > SegmentEventParser.MaxIdLength))
        {
            return new(OperationErrorKind.Invalid, $"a segment id is at most {SegmentEventParser.MaxIdLength} characters.", "segmentIds");
        }

        if (string.IsNullOrWhiteSpace(definition.Mapping.Email))
        {
            return new(OperationErrorKind.Invalid, "mapping.email is required: the profile attribute that holds the email address.", "mapping.email");
        }

        var mapping = definition.Mapping;
        if (new[] { mapping.Email, mapping.FirstName, mapping.LastName, mapping.Phone }.Concat(mapping.Fields.Select(f => f.Attribute)).Any(name => name?.Length > MaxNameLength))
        {
            return new(OperationErrorKind.Invalid, $"a mapped attribute name is at most {MaxNameLength} characters.", "mapping");
        }

        if (mapping.Fields.Count > MaxMappedFields || mapping.Fields.Any(f => f.FieldId <= 0 || string.IsNullOrWhiteSpace(f.Attribute)))
        {
            return new(OperationErrorKind.Invalid, $"mapping.fields takes at most {MaxMappedFields} entries, each with an attribute and a positive ActiveCampaign fieldId.", "mapping.fields");
        }

        if (mapping.Tags.Count > MaxTags || mapping.Tags.Any(tag => string.IsNullOrWhiteSpace(tag) || tag.Length > MaxTagLength))
        {
            return new(OperationErrorKind.Invalid, $"mapping.tags takes at most {MaxTags} non-empty tags of at most {MaxTagLength} characters.", "mapping.tags");
        }

        if (definition.Schedule?.Length > MaxScheduleLength)
        {
            return new(OperationErrorKind.Invalid, $"schedule is at most {MaxScheduleLength} characters.", "schedule");
        }

        if (definition.Schedule is { } schedule && !CronSchedule.TryParse(schedule, out _, out var cronError))
        {
            return new(OperationErrorKind.Invalid, $"schedule '{schedule}' is not a valid cron expression (UTC, five fields): {cronError}", "schedule");
        }

        return null;
    }

    public async Task<ExportStatus?> GetStatusAsync()
    {
        if (state.State.Definition is null)
        {
            return null;
        }

        var counters = ExportCounters.Zero with { EventsReceived = state.State.EventsReceived };
        foreach (var shard in await GetShardCountersAsync())
        {
            counters = counters.Add(new ExportCounters(0, shard.Members, shard.Pending, shard.InSync, shard.Rejected, shard.SkippedByCap, shard.StateBytes));
        }

        ExportMetrics.ReportPending(Id, counters.Pending);
        return new ExportStatus(state.State.Definition, counters, state.State.StoppedReason ?? (_pausedUntil > time.GetUtcNow() ? _pauseReason : null));
    }

    public Task<long> GetEventsReceivedAsync() => Task.FromResult(state.State.EventsReceived);

    public async Task<IReadOnlyList<Rejection>> GetRejectionsAsync(int limit)
    {
        var all = new List<Rejection>();
        await ForEachShardAsync(async shard => { var list = await shard.GetRejectionsAsync(limit); lock (all) { all.AddRange(list); } });
        return all.OrderByDescending(r => r.At).Take(limit).ToList();
    }

    public async Task DeleteAsync()
    {
        if (state.State.Definition is not { } definition)
        {
            return;
        }

        _pump?.Dispose();
        await UnsubscribeAllAsync();
        await ForEachShardAsync(shard => shard.ClearAsync());
        await GrainFactory.GetGrain<IConnectionGrain>(definition.ConnectionId).ReleaseCapacityAsync(Id);
        await Catalog.RemoveExportAsync(Id);
        await GrainFactory.GetGrain<IResyncControlGrain>(Id).ClearAsync();
        if (await this.GetReminder(KeepAliveReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        await state.ClearStateAsync();
        state.State = new ExportState();
        ExportMetrics.Forget(Id);
        logger.LogInformation("Export {ExportId} deleted", Id);
        DeactivateOnIdle();
    }

    public async Task StopAsync(string reason)
    {
        if (!Active)
        {
            return;
        }

        _pump?.Dispose();
        state.State.StoppedReason = $"Stopped: {reason}.";
        if (state.State.Run is { Active: true } run)
        {
            run.Active = false;
        }

        await UnsubscribeAllAsync();
        await Catalog.SetExportSegmentsAsync(Id, []);
        await WriteStateAsync();
        ExportMetrics.Forget(Id);
        logger.LogInformation("Export {ExportId} stopped: {Reason}", Id, reason);
    }

    public async Task<long> LeaseCapacityAsync(long needed)
    {
        if (!Active)
        {
            return 0;
        }

        var remaining = Options.MaxProfilesPerExport - state.State.CapacityLeased;
        var asked = CapacityLease.Grant(remaining, needed, needed + CapacityLease.Chunk);
        if (asked == 0)
        {
            return 0;
        }

        var granted = await GrainFactory.GetGrain<IConnectionGrain>(state.State.Definition!.ConnectionId).LeaseCapacityAsync(Id, Math.Min(needed, asked), asked);
        state.State.CapacityLeased += granted;
        await WriteStateAsync();
        return granted;
    }

    public Task ShardHasPendingAsync(int shardIndex)
    {
        if (Active && shardIndex >= 0 && shardIndex < _shardPending.Length)
        {
            // The shard's contacts have waited since before it came back: collect them without further delay.
            _shardPending[shardIndex] = Math.Max(1, _shardPending[shardIndex]);
            _pendingSince ??= time.GetUtcNow() - Options.MaxBatchDelay;
        }

        return Task.CompletedTask;
    }

    // ---- Ingest: stream batches -> shards ----

    public async Task OnNextAsync(IList<SequentialItem<SegmentEvent>> items)
    {
        if (!Active || items.Count == 0)
        {
            return;
        }

        var shardCount = state.State.ShardCount;
        var buckets = new List<SegmentEvent>?[shardCount];
        foreach (var item in items)
        {
            var e = item.Item;
            if (e.Type is SegmentEventType.SnapshotStarted or SegmentEventType.SnapshotCompleted)
            {
                // Every shard holds part of the segment: each sees the snapshot's start and end in stream order.
                for (var i = 0; i < shardCount; i++)
                {
                    (buckets[i] ??= []).Add(e);
                }

                continue;
            }

            (buckets[ProfileHash.Bucket(e.ProfileId, shardCount)] ??= []).Add(e);
        }

        var calls = new List<Task>(shardCount);
        for (var i = 0; i < shardCount; i++)
        {
            if (buckets[i] is { } events)
            {
                calls.Add(ApplyToShardAsync(i, [.. events]));
            }
        }

        // The stream only counts the batch as delivered once every shard has applied it.
        await Task.WhenAll(calls);
        state.State.EventsReceived += items.Count;
        _changed = true;
        ExportMetrics.RecordReceived(Id, items.Count);
    }

    private async Task ApplyToShardAsync(int index, SegmentEvent[] events)
    {
        var result = await Shard(index).ApplyAsync(events);
        ExportMetrics.RecordApplied(Id, result);
        NoteShardPending(index, result.Pending);
    }

    /// <summary>A shard said how many contacts it holds pending: the delivery loop's clock starts with the first.</summary>
    private void NoteShardPending(int index, int pending)
    {
        _shardPending[index] = pending;
        if (pending > 0)
        {
            _pendingSince ??= time.GetUtcNow();
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        ExportMetrics.Forget(Id);
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        logger.LogWarning("Segment stream error for export {ExportId}: {Error}", Id, ex.GetType().Name);
        return Task.CompletedTask;
    }

    // ---- Runs ----

    public async Task<long> BeginRunAsync(string runId)
    {
        if (!Active)
        {
            throw new InvalidOperationException(state.State.StoppedReason ?? $"Export '{Id}' does not exist.");
        }

        if (state.State.Run is { } current && current.RunId == runId)
        {
            return current.Total;
        }

        long total = 0;
        var perShard = new long[state.State.ShardCount];
        await ForEachShardIndexAsync(async i => perShard[i] = await Shard(i).BeginRunAsync(runId));
        total = perShard.Sum();
        for (var i = 0; i < perShard.Length; i++)
        {
            _shardPending[i] = (int)Math.Min(int.MaxValue, perShard[i]);
        }

        state.State.Run = new RunCounters { RunId = runId, Total = total, Active = true };
        await WriteStateAsync();
        logger.LogInformation("Run {RunId} of export {ExportId} started: {Total} contacts to send", runId, Id, total);
        return total;
    }

    public async Task<RunProgress> GetRunProgressAsync(string runId)
    {
        if (state.State.Run is not { } run || run.RunId != runId)
        {
            return new RunProgress(false, false, 0, 0, 0, 0, 0, 0, null);
        }

        long remaining = 0;
        if (run.Active)
        {
            var counters = await GetShardCountersAsync();
            remaining = counters.Sum(c => c.RunRemaining);
            run.SkippedByCap = counters.Sum(c => c.SkippedByCap);
        }

        if (run.Active && remaining == 0)
        {
            run.Active = false;
            await WriteStateAsync();
            logger.LogInformation("Run {RunId} of export {ExportId} finished: {Sent} sent, {Unsubscribed} unsubscribed, {Failed} failed", runId, Id, run.Sent, run.Unsubscribed, run.Failed);
        }

        return new RunProgress(true, !run.Active, run.Total, remaining, run.Sent, run.Unsubscribed, run.Failed, run.SkippedByCap,
            state.State.StoppedReason ?? _pauseReason);
    }

    public async Task CancelRunAsync(string runId)
    {
        if (state.State.Run is not { Active: true } run || run.RunId != runId)
        {
            return;
        }

        run.Active = false;
        await ForEachShardAsync(shard => shard.CancelRunAsync(runId));
        await WriteStateAsync();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Activation already resumed delivery; the reminder exists so a silo loss cannot leave pending contacts unsent.
        if (!Active && reminderName == KeepAliveReminder && await this.GetReminder(KeepAliveReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    // ---- Delivery loop ----

    private void StartPump()
    {
        _pump?.Dispose();
        _pump = this.RegisterGrainTimer(PumpAsync, new GrainTimerCreationOptions
        {
            DueTime = Options.FlushInterval,
            Period = Options.FlushInterval,
            Interleave = true,
            KeepAlive = true,
        });
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        if (!Active)
        {
            return;
        }

        if (_changed)
        {
            _changed = false;
            await WriteStateAsync();
        }

        if (time.GetUtcNow() >= _pendingReportDue)
        {
            _pendingReportDue = time.GetUtcNow() + ExportMetrics.PendingRefreshInterval;
            ExportMetrics.ReportPending(Id, (await GetShardCountersAsync()).Sum(c => c.Pending));
        }

        await RetryOutcomesAsync();
        while (_inFlight < Options.MaxConcurrentBatches && time.GetUtcNow() >= _pausedUntil && IsBatchDue())
        {
            var batch = await CollectBatchAsync();
            if (batch.Count == 0)
            {
                // Nothing left, unless a shard did not answer: it keeps its pending mark and is asked again.
                if (!_shardPending.Any(p => p > 0))
                {
                    _pendingSince = null;
                }

                break;
            }

            _inFlight++;
            _ = DeliverAsync(batch);
        }
    }

    private bool IsBatchDue()
    {
        if (state.State.Run is { Active: true } || _carry.Count + _shardPending.Sum(p => (long)p) >= MaxContactsPerImport)
        {
            return _carry.Count > 0 || _shardPending.Any(p => p > 0);
        }

        // Flush a little before the deadline so the change reaches ActiveCampaign within MaxBatchDelay.
        return _pendingSince is { } since && time.GetUtcNow() - since >= Options.MaxBatchDelay * 0.9;
    }

    /// <summary>Takes up to one full import's worth of contacts, spreading the take over the shards.</summary>
    private async Task<List<OutgoingContact>> CollectBatchAsync()
    {
        var batch = new List<OutgoingContact>(MaxContactsPerImport);
        var fromCarry = Math.Min(_carry.Count, MaxContactsPerImport);
        batch.AddRange(_carry.GetRange(0, fromCarry));
        _carry.RemoveRange(0, fromCarry);

        for (var round = 0; round < 3 && batch.Count < MaxContactsPerImport; round++)
        {
            var shards = Enumerable.Range(0, _shardPending.Length).Select(i => (i + _nextShard) % _shardPending.Length).Where(i => _shardPending[i] > 0).ToList();
            if (shards.Count == 0)
            {
                break;
            }

            _nextShard = (_nextShard + 1) % _shardPending.Length;
            var share = (MaxContactsPerImport - batch.Count + shards.Count - 1) / shards.Count;
            var takes = await Task.WhenAll(shards.Select(async i => (Index: i, Contacts: await TryTakePendingAsync(i, share))));
            foreach (var (index, contacts) in takes)
            {
                if (contacts is null)
                {
                    _pendingSince ??= time.GetUtcNow();
                    continue;
                }

                _shardPending[index] = contacts.Length < share ? 0 : Math.Max(1, _shardPending[index] - contacts.Length);
                batch.AddRange(contacts);
            }
        }

        if (batch.Count > MaxContactsPerImport)
        {
            _carry.AddRange(batch.GetRange(MaxContactsPerImport, batch.Count - MaxContactsPerImport));
            batch.RemoveRange(MaxContactsPerImport, batch.Count - MaxContactsPerImport);
        }

        return batch;
    }

    /// <summary>
    /// Null when the shard cannot be reached (its silo may have just died): the other shards' contacts are
    /// leased already and must still be sent, and this shard is asked again next time.
    /// </summary>
    private async Task<OutgoingContact[]?> TryTakePendingAsync(int index, int max)
    {
        try
        {
            return await Shard(index).TakePendingAsync(max);
        }
        catch (Exception exception)
        {
            logger.LogDebug("Shard {Index} of export {ExportId} did not answer: {Error}", index, Id, exception.GetType().Name);
            return null;
        }
    }

    private async Task DeliverAsync(List<OutgoingContact> batch)
    {
        // The sender's and the ActiveCampaign client's log lines carry the export (and run) this delivery is for.
        using var scope = ExportLogScope.Begin(logger, Id, state.State.Run is { Active: true } run ? run.RunId : null);
        List<ContactOutcome> outcomes;
        try
        {
            var credentials = await GrainFactory.GetGrain<IConnectionGrain>(state.State.Definition!.ConnectionId).GetCredentialsAsync()
                ?? throw new InvalidOperationException("the connection no longer exists");
            var account = new ActiveCampaignAccount(credentials.Hostname, protector.Unprotect(credentials.ProtectedApiKey));
            outcomes = await sender.SendAsync(account, state.State.Definition, batch, CancellationToken.None);
        }
        catch (ActiveCampaignAuthException)
        {
            Pause(TimeSpan.FromMinutes(1), "ActiveCampaign refused the connection's API key; delivery retries every minute.");
            outcomes = batch.Select(BatchSender.Returned).ToList();
        }
        catch (ActiveCampaignCircuitOpenException open)
        {
            var resumeAt = time.GetUtcNow() + open.RetryAfter;
            logger.LogWarning("Delivery of export {ExportId} paused until {ResumeAt:O}: {Reason}", Id, resumeAt, open.Message);
            Pause(open.RetryAfter,
                $"ActiveCampaign account {open.Hostname} is failing: after repeated errors its circuit is open and delivery is paused until {resumeAt:HH:mm:ss} UTC. Pending contacts are kept and sent then.");
            outcomes = batch.Select(BatchSender.Returned).ToList();
        }
        catch (Exception exception)
        {
            logger.LogWarning("Delivery of {Count} contacts of export {ExportId} failed and will be retried: {Error}: {Message}",
                batch.Count, Id, exception.GetType().Name, exception.Message);
            Pause(TimeSpan.FromSeconds(5) / activeCampaignOptions.Value.Limits.TimeScale, $"ActiveCampaign is failing ({exception.GetType().Name}); delivery retries shortly.");
            outcomes = batch.Select(BatchSender.Returned).ToList();
        }
        finally
        {
            _inFlight--;
        }

        await CompleteOnShardsAsync(outcomes);
    }

    /// <summary>
    /// Outcomes a shard could not take are kept and handed over again by the pump: until they arrive, the
    /// shard holds those contacts as leased and would never send them again.
    /// </summary>
    private async Task HandOutcomesToShardsAsync(IReadOnlyCollection<ContactOutcome> outcomes)
    {
        var shardCount = state.State.ShardCount;
        await Task.WhenAll(outcomes.GroupBy(o => ProfileHash.Bucket(o.ProfileId, shardCount)).Select(async group =>
        {
            ShardCompletion completion;
            try
            {
                completion = await Shard(group.Key).CompleteAsync([.. group]);
            }
            catch (Exception exception)
            {
                logger.LogWarning("Shard {Index} of export {ExportId} did not take {Count} outcomes ({Error}); retrying shortly",
                    group.Key, Id, group.Count(), exception.GetType().Name);
                _outcomesToRetry.AddRange(group);
                _outcomesRetryAt = time.GetUtcNow() + OutcomeRetryDelay;
                return;
            }

            NoteShardPending(group.Key, completion.Pending);

            if (state.State.Run is { Active: true } run)
            {
                run.Sent += completion.RunSent;
                run.Unsubscribed += completion.RunUnsubscribed;
                run.Failed += completion.RunFailed;
                _changed = true;
            }
        }));
    }

    private async Task RetryOutcomesAsync()
    {
        if (_outcomesToRetry.Count == 0 || time.GetUtcNow() < _outcomesRetryAt)
        {
            return;
        }

        var retry = _outcomesToRetry.ToList();
        _outcomesToRetry.Clear();
        await HandOutcomesToShardsAsync(retry);
    }

    private void Pause(TimeSpan duration, string reason)
    {
        _pausedUntil = time.GetUtcNow() + duration;
        _pauseReason = reason;
    }

    private async Task CompleteOnShardsAsync(List<ContactOutcome> outcomes)
    {
        ExportMetrics.RecordOutcomes(Id, outcomes);
        await HandOutcomesToShardsAsync(outcomes);
    }

    // ---- Helpers ----

    private ICatalogGrain Catalog => GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey);

    private IExportShardGrain Shard(int index) => GrainFactory.GetGrain<IExportShardGrain>(ExportShardGrain.Key(Id, index));

    private Task ForEachShardAsync(Func<IExportShardGrain, Task> action) =>
        Task.WhenAll(Enumerable.Range(0, state.State.ShardCount).Select(i => action(Shard(i))));

    private Task ForEachShardIndexAsync(Func<int, Task> action) =>
        Task.WhenAll(Enumerable.Range(0, state.State.ShardCount).Select(action));

    private async Task<ShardCounters[]> GetShardCountersAsync() =>
        await Task.WhenAll(Enumerable.Range(0, state.State.ShardCount).Select(i => Shard(i).GetCountersAsync()));

    private IEnumerable<IAsyncStream<SegmentEvent>> SegmentStreams()
    {
        var provider = this.GetStreamProvider(Constants.StreamProvider);
        return state.State.Definition!.SegmentIds.Select(segment =>
            provider.GetStream<SegmentEvent>(StreamId.Create(Constants.SegmentStreamNamespace, segment)));
    }

    private async Task ResumeSubscriptionsAsync()
    {
        foreach (var stream in SegmentStreams())
        {
            var handles = await stream.GetAllSubscriptionHandles();
            if (handles.Count == 0)
            {
                await stream.SubscribeAsync(this);
                continue;
            }

            foreach (var handle in handles)
            {
                await handle.ResumeAsync(this);
            }
        }
    }

    private async Task UnsubscribeAllAsync()
    {
        foreach (var stream in SegmentStreams())
        {
            foreach (var handle in await stream.GetAllSubscriptionHandles())
            {
                await handle.UnsubscribeAsync();
            }
        }
    }

    /// <summary>Interleaved calls share one activation: writes go one at a time to keep the ETag consistent.</summary>
    private async Task WriteStateAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            await state.WriteStateAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
