using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Activity;
using OrleansExport.Grains.Alerts;
using OrleansExport.Grains.Connections;
using OrleansExport.Grains.Delivery;
using OrleansExport.Grains.ExportShards;
using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.Exports;

/// <summary>
/// One export: its definition and history, the segments it takes members from, its runs' counters, and
/// the delivery loop that collects pending contacts from its shards into full batches for
/// <see cref="BatchSender"/> (when, and from which shards: <see cref="DeliveryScheduler"/>). Validation and
/// the effects of a change live in <see cref="ExportDefinitionRules"/>. Reentrant so that many batches can
/// wait for permits at once.
/// </summary>
[Reentrant]
public sealed class ExportGrain(
    [PersistentState("export", Constants.ExportStore)] IPersistentState<ExportState> state,
    BatchSender sender,
    ApiKeyProtector protector,
    IActiveCampaignClient client,
    IOptions<ExportOptions> options,
    IOptions<ActiveCampaignOptions> activeCampaignOptions,
    IAlertSender alerts,
    TimeProvider time,
    ILogger<ExportGrain> logger) : Grain, IExportGrain, IRemindable
{
    public const int HistoryLength = 100;
    private const string KeepAliveReminder = "keep-delivering";
    private static readonly TimeSpan OutcomeRetryDelay = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _writeLock = new(1, 1);

    // Changes of the definition go one at a time: each reconfigures shards and segments.
    private readonly SemaphoreSlim _definitionLock = new(1, 1);
    private readonly List<ContactOutcome> _outcomesToRetry = [];
    private DeliveryScheduler _scheduler = null!;
    private int _inFlight;
    private readonly DeliveryHold _hold = new(time);
    private readonly SelfPauseWatch _selfPause = new();
    private readonly ActivityBuckets _activity = new();
    private bool _changed;
    private IGrainTimer? _pump;
    private DateTimeOffset _pendingReportDue;
    private DateTimeOffset _outcomesRetryAt;

    private string Id => this.GetPrimaryKeyString();

    private ExportOptions Options => options.Value;

    private bool Active => state.State.Definition is not null && state.State.StoppedReason is null;

    /// <summary>Sending is on: the first run has started and nobody paused the export.</summary>
    private bool Sending => Active && state.State.FirstRunStarted && state.State.PausedBy is null;

    private ExportSubscription Subscription => new(Id, state.State.ShardCount);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Definition is null)
        {
            return;
        }

        _scheduler = NewScheduler();
        if (!Active)
        {
            return;
        }

        await SubscribeMissingSegmentsAsync();

        // A new activation holds no leases: whatever an earlier one leased goes back to pending.
        await ForEachShardAsync(shard => shard.ReleaseLeasesAsync());
        _scheduler.NoteAllOverdue();
        StartPump();
    }

    private DeliveryScheduler NewScheduler() =>
        new(state.State.ShardCount, activeCampaignOptions.Value.Limits.MaxContactsPerImport, Options.MaxBatchDelay, time);

    public async Task<OperationResult<ExportDefinition>> CreateAsync(ExportDefinition definition)
    {
        if (state.State.Definition is not null)
        {
            return OperationResult<ExportDefinition>.Fail(OperationErrorKind.Conflict, $"Export '{Id}' already exists.");
        }

        if ((ExportDefinitionRules.Validate(definition, Options.MinScheduleInterval) ?? ValidateWebhook(definition)) is { } invalid)
        {
            return new(null, invalid);
        }

        if (await VerifyListAsync(definition.ConnectionId, definition.ListId) is { } listError)
        {
            return new(null, listError);
        }

        state.State.Definition = definition;
        state.State.ShardCount = Options.ShardCount;
        AddHistory(definition.CreatedBy, DefinitionAction.Created, []);
        _scheduler = NewScheduler();
        await ForEachShardAsync(shard => shard.ConfigureAsync(ShardConfigOf(definition)));
        await WriteStateAsync();
        await Catalog.AddExportAsync(Id, definition.ConnectionId);
        await SubscribeMissingSegmentsAsync();
        await this.RegisterOrUpdateReminder(KeepAliveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        if (definition.Schedule is not null)
        {
            await Runs.ConfigureScheduleAsync(definition.Schedule);
        }

        StartPump();
        await AuditAsync(definition.CreatedBy, AuditAction.Created, []);
        logger.LogInformation("Export {ExportId} of segments {Segments} to list {ListId} created", Id, string.Join(",", definition.SegmentIds), definition.ListId);
        return OperationResult<ExportDefinition>.Ok(definition);
    }

    /// <summary>The webhook follows the host rules of connections (and AllowInsecureLoopback), which live with the ActiveCampaign options.</summary>
    private OperationError? ValidateWebhook(ExportDefinition definition) =>
        definition.AlertWebhook is { } webhook && WebhookUrlRules.Validate(webhook, activeCampaignOptions.Value) is { } problem
            ? new(OperationErrorKind.Invalid, problem, "alertWebhook")
            : null;

    /// <returns>null when the list exists in the connection's account, else why not (for the listId field).</returns>
    private async Task<OperationError?> VerifyListAsync(string connectionId, string listId)
    {
        var credentials = await GrainFactory.GetGrain<IConnectionGrain>(connectionId).GetCredentialsAsync();
        if (credentials is null)
        {
            return new(OperationErrorKind.Unprocessable, $"Connection '{connectionId}' does not exist.", "connectionId");
        }

        var account = new ActiveCampaignAccount(credentials.Hostname, protector.Unprotect(credentials.ProtectedApiKey));
        try
        {
            return await client.ListExistsAsync(account, listId, CancellationToken.None)
                ? null
                : new(OperationErrorKind.Unprocessable, $"List '{listId}' does not exist in the ActiveCampaign account {credentials.Hostname}.", "listId");
        }
        catch (Exception exception) when (exception is ActiveCampaignException or ActiveCampaignAuthException or HttpRequestException)
        {
            return new(OperationErrorKind.Unprocessable, $"Could not verify list '{listId}' at {credentials.Hostname}: {exception.Message}", "listId");
        }
    }

    /// <summary>Subscribes the export to every segment of its definition that does not hold it yet, which backfills it.</summary>
    private async Task SubscribeMissingSegmentsAsync()
    {
        foreach (var segmentId in state.State.Definition!.SegmentIds.Except(state.State.SubscribedSegments).ToList())
        {
            await Segment(segmentId).AddExportAsync(Subscription);
            state.State.SubscribedSegments.Add(segmentId);
            await WriteStateAsync();
        }
    }

    public async Task<ExportStatus?> GetStatusAsync()
    {
        if (state.State.Definition is null)
        {
            return null;
        }

        var counters = ExportCounters.Zero;
        foreach (var shard in await GetShardCountersAsync())
        {
            counters = counters.Add(new ExportCounters(shard.EventsReceived, shard.Members, shard.Pending, shard.InSync, shard.Rejected, shard.SkippedByCap, shard.StateBytes, shard.Erased));
        }

        ExportMetrics.ReportPending(Id, counters.Pending);
        var paused = state.State.StoppedReason ?? state.State.PausedBy ?? _hold.Reason;
        return new ExportStatus(state.State.Definition, counters, paused, state.State.StoppedReason, !state.State.FirstRunStarted,
            [.. state.State.History], state.State.PausedBy is not null, state.State.UnsubscribeHold?.Held);
    }

    public async Task<OperationResult<ExportStatus>> UpdateAsync(ExportPatch patch, string user)
    {
        await _definitionLock.WaitAsync();
        try
        {
            if (await CheckChangeableAsync("changed") is { } refused)
            {
                return new(null, refused);
            }

            var before = state.State.Definition!;
            var (after, changed) = ExportDefinitionRules.Apply(before, patch);
            if (changed.Count == 0)
            {
                return OperationResult<ExportStatus>.Ok((await GetStatusAsync())!);
            }

            if ((ExportDefinitionRules.Validate(after, Options.MinScheduleInterval) ?? ValidateWebhook(after)) is { } invalid)
            {
                return new(null, invalid);
            }

            if (changed.Contains("listId") && await VerifyListAsync(after.ConnectionId, after.ListId) is { } listError)
            {
                return new(null, listError);
            }

            state.State.Definition = after;
            AddHistory(user, DefinitionAction.Updated, changed);
            await WriteStateAsync();
            await ApplyChangeAsync(before, after, changed);
            await AuditAsync(user, AuditAction.Updated, changed);
            logger.LogInformation("Export {ExportId} changed by {User}: {Fields}", Id, user, string.Join(", ", changed));
            return OperationResult<ExportStatus>.Ok((await GetStatusAsync())!);
        }
        finally
        {
            _definitionLock.Release();
        }
    }

    /// <summary>
    /// Shards first (so the added segments' members have a place and the removed ones' leave), then the
    /// segments: removed ones stop forwarding, added ones backfill, the others send their members again when
    /// the mapped data may differ. A new list makes every member pending for it.
    /// </summary>
    private async Task ApplyChangeAsync(ExportDefinition before, ExportDefinition after, IReadOnlyList<string> changed)
    {
        if (changed.Contains("segmentIds") || changed.Contains("mapping") || changed.Contains("onLeave") || changed.Contains("onErase"))
        {
            await ForEachShardAsync(shard => shard.ConfigureAsync(ShardConfigOf(after)));
        }

        foreach (var removed in before.SegmentIds.Except(after.SegmentIds))
        {
            await Segment(removed).RemoveExportAsync(Id);
            state.State.SubscribedSegments.Remove(removed);
            await WriteStateAsync();
        }

        if (ExportDefinitionRules.ChangesMappedData(before.Mapping, after.Mapping))
        {
            await Task.WhenAll(after.SegmentIds.Intersect(state.State.SubscribedSegments).Select(segment => Segment(segment).BackfillAsync(Subscription)));
        }

        await SubscribeMissingSegmentsAsync();
        if (changed.Contains("listId"))
        {
            await ForEachShardAsync(shard => shard.ResetDeliveryAsync());
        }

        if (changed.Contains("schedule"))
        {
            await Runs.ConfigureScheduleAsync(after.Schedule);
        }
    }

    /// <returns>null when the definition may change now, else why not.</returns>
    private async Task<OperationError?> CheckChangeableAsync(string verb)
    {
        if (state.State.Definition is null)
        {
            return new(OperationErrorKind.NotFound, $"Export '{Id}' does not exist.", null);
        }

        if (state.State.StoppedReason is { } stopped)
        {
            return new(OperationErrorKind.Conflict, $"Export '{Id}' cannot be {verb}: {stopped}", null);
        }

        var current = (await Runs.ListRunsAsync()).FirstOrDefault(run => run.Status is RunStatus.Queued or RunStatus.Running);
        return current is null
            ? null
            : new(OperationErrorKind.Conflict,
                $"Export '{Id}' cannot be {verb} while run {current.RunId} is {current.Status.ToString().ToLowerInvariant()}; wait for it to finish or cancel it.", null);
    }

    public async Task<OperationResult<ExportStatus>> PauseAsync(string user)
    {
        if (state.State.Definition is null)
        {
            return OperationResult<ExportStatus>.Fail(OperationErrorKind.NotFound, $"Export '{Id}' does not exist.");
        }

        if (state.State.PausedBy is null)
        {
            state.State.PausedBy = $"Paused by {user} on {time.GetUtcNow():yyyy-MM-dd HH:mm} UTC: events are still applied, nothing is sent until it is resumed.";
            AddHistory(user, DefinitionAction.Paused, []);
            await WriteStateAsync();
            await AuditAsync(user, AuditAction.Paused, []);
            logger.LogInformation("Export {ExportId} paused by {User}", Id, user);
        }

        return OperationResult<ExportStatus>.Ok((await GetStatusAsync())!);
    }

    public async Task<OperationResult<ExportStatus>> ResumeAsync(string user)
    {
        if (state.State.Definition is null)
        {
            return OperationResult<ExportStatus>.Fail(OperationErrorKind.NotFound, $"Export '{Id}' does not exist.");
        }

        if (state.State.PausedBy is not null)
        {
            state.State.PausedBy = null;
            AddHistory(user, DefinitionAction.Resumed, []);
            await WriteStateAsync();
            await AuditAsync(user, AuditAction.Resumed, []);
            _scheduler.NoteAllOverdue();
            logger.LogInformation("Export {ExportId} resumed by {User}", Id, user);
        }

        return OperationResult<ExportStatus>.Ok((await GetStatusAsync())!);
    }

    private void AddHistory(string user, DefinitionAction action, IReadOnlyList<string> fields)
    {
        var history = state.State.History;
        history.Add(new DefinitionChange(time.GetUtcNow(), user, action, fields));
        if (history.Count > HistoryLength)
        {
            history.RemoveRange(0, history.Count - HistoryLength);
        }
    }

    /// <summary>The audit trail (docs/api.md: GET /api/audit) learns of an action once it is saved.</summary>
    private Task AuditAsync(string user, AuditAction action, IReadOnlyList<string> fields) =>
        GrainFactory.GetGrain<IAuditGrain>(IAuditGrain.Key).RecordAsync(new AuditEntry(time.GetUtcNow(), user, action, AuditSubject.Export, Id, fields));

    public async Task<IReadOnlyList<Rejection>> GetRejectionsAsync(RejectionKind? kind, int offset, int limit)
    {
        var newestPerShard = (int)Math.Min((long)offset + limit, int.MaxValue);
        var shards = await Task.WhenAll(Enumerable.Range(0, state.State.ShardCount).Select(i => Shard(i).GetRejectionsAsync(kind, newestPerShard)));
        return RejectionGrouping.NewestFirst(shards).Skip(offset).Take(limit).ToList();
    }

    public async Task<RejectionSummary> GetRejectionSummaryAsync()
    {
        var shards = new List<ShardRejections>();
        await ForEachShardAsync(async shard => { var one = await shard.GetRejectionSummaryAsync(); lock (shards) { shards.Add(one); } });
        return RejectionGrouping.Merge(shards, RejectionGrouping.ExamplesPerKind);
    }

    public Task<IReadOnlyList<ActivityBucket>> GetActivityAsync(int minutes) => Task.FromResult(_activity.Window(time.GetUtcNow(), minutes));

    public async Task DeleteAsync(string user)
    {
        if (state.State.Definition is not { } definition)
        {
            return;
        }

        _pump?.Dispose();
        await Task.WhenAll(state.State.SubscribedSegments.Select(segment => Segment(segment).RemoveExportAsync(Id)));
        await ForEachShardAsync(shard => shard.ClearAsync());
        await GrainFactory.GetGrain<IConnectionGrain>(definition.ConnectionId).ReleaseCapacityAsync(Id);
        await Catalog.RemoveExportAsync(Id);
        await Runs.ClearAsync();
        if (await this.GetReminder(KeepAliveReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        await state.ClearStateAsync();
        state.State = new ExportState();
        ExportMetrics.Forget(Id);
        await AuditAsync(user, AuditAction.Deleted, []);
        logger.LogInformation("Export {ExportId} deleted", Id);
        DeactivateOnIdle();
    }

    /// <remarks>
    /// The segments keep forwarding changes (the shards stay current, should the export be deleted or looked at);
    /// unsubscribing here could wait on a segment whose batch waits on the connection that is stopping us.
    /// </remarks>
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

    public async Task ReturnCapacityAsync(long slots)
    {
        if (!Active || slots <= 0)
        {
            return;
        }

        state.State.CapacityLeased = Math.Max(0, state.State.CapacityLeased - slots);
        await WriteStateAsync();
        await GrainFactory.GetGrain<IConnectionGrain>(state.State.Definition!.ConnectionId).ReturnCapacityAsync(Id, slots);
    }

    public Task ShardHasPendingAsync(int shardIndex, int pending, bool overdue)
    {
        if (Active && shardIndex >= 0 && shardIndex < state.State.ShardCount)
        {
            _scheduler.NoteShardPending(shardIndex, pending);
            if (overdue)
            {
                _scheduler.NoteOverdue(shardIndex);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The activation this call may cause is what resumes delivery (<see cref="OnActivateAsync"/>).</summary>
    public Task KeepDeliveringAsync() => Task.CompletedTask;

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        ExportMetrics.Forget(Id);
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

        var perShard = new long[state.State.ShardCount];
        await ForEachShardIndexAsync(async i => perShard[i] = await Shard(i).BeginRunAsync(runId));
        for (var i = 0; i < perShard.Length; i++)
        {
            _scheduler.NoteShardPending(i, (int)Math.Min(int.MaxValue, perShard[i]));
        }

        var total = perShard.Sum();
        state.State.Run = new RunCounters { RunId = runId, Total = total, Active = true };
        state.State.FirstRunStarted = true;
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
            state.State.StoppedReason ?? _hold.Reason);
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
        var runActive = state.State.Run is { Active: true };
        var holdUnsubscribes = await CheckUnsubscribeGuardAsync(runActive);
        while (Sending && _inFlight < Options.MaxConcurrentBatches && !_hold.IsHeld && _scheduler.IsBatchDue(runActive))
        {
            var batch = await _scheduler.CollectAsync((index, max) => TryTakePendingAsync(index, max, holdUnsubscribes));
            if (batch.Count == 0)
            {
                break;
            }

            _inFlight++;
            _ = DeliverAsync(batch);
        }
    }

    /// <summary>
    /// Null when the shard cannot be reached (its silo may have just died): the other shards' contacts are
    /// leased already and must still be sent, and this shard is asked again next time.
    /// </summary>
    private async Task<OutgoingContact[]?> TryTakePendingAsync(int index, int max, bool holdUnsubscribes)
    {
        try
        {
            return await Shard(index).TakePendingAsync(max, holdUnsubscribes);
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
        var connection = GrainFactory.GetGrain<IConnectionGrain>(state.State.Definition!.ConnectionId);
        ProtectedCredentials? credentials = null;
        var tally = new ImportTally();
        try
        {
            credentials = await connection.GetCredentialsAsync() ?? throw new InvalidOperationException("the connection no longer exists");
            if (credentials.KeyRefused)
            {
                // Nothing is sent with a key the account refused: wait for a new one (PATCH /api/connections/{id}).
                _hold.KeyRefused(state.State.Definition.ConnectionId);
                PausedItself();
                outcomes = batch.Select(BatchSender.Returned).ToList();
            }
            else
            {
                var account = new ActiveCampaignAccount(credentials.Hostname, protector.Unprotect(credentials.ProtectedApiKey));
                outcomes = await sender.SendAsync(account, state.State.Definition, batch, CancellationToken.None, tally);
                _hold.KeyAccepted();
                if (_selfPause.Delivered())
                {
                    Alert(AlertEvents.Resumed, "Delivery works again.");
                }
            }
        }
        catch (ActiveCampaignAuthException)
        {
            // Recorded on the connection unless a newer key was saved meanwhile: then the batch simply goes again.
            var current = await connection.ReportKeyRefusedAsync(credentials!.KeyVersion);
            if (current is null || current.KeyRefused)
            {
                _hold.KeyRefused(state.State.Definition.ConnectionId);
                PausedItself();
            }

            outcomes = batch.Select(BatchSender.Returned).ToList();
        }
        catch (ActiveCampaignCircuitOpenException open)
        {
            var resumeAt = _hold.CircuitOpen(open.Hostname, open.RetryAfter);
            PausedItself();
            logger.LogWarning("Delivery of export {ExportId} paused until {ResumeAt:O}: {Reason}", Id, resumeAt, open.Message);
            outcomes = batch.Select(BatchSender.Returned).ToList();
        }
        catch (Exception exception)
        {
            logger.LogWarning("Delivery of {Count} contacts of export {ExportId} failed and will be retried: {Error}: {Message}",
                batch.Count, Id, exception.GetType().Name, exception.Message);
            _hold.Failing(exception.GetType().Name, TimeSpan.FromSeconds(5) / activeCampaignOptions.Value.Limits.TimeScale);
            outcomes = batch.Select(BatchSender.Returned).ToList();
        }
        finally
        {
            _inFlight--;
        }

        _activity.Record(time.GetUtcNow(), outcomes.Count(o => o.Kind != OutcomeKind.Returned), outcomes.Count(o => o.Kind == OutcomeKind.Accepted),
            outcomes.Count(o => o.Kind == OutcomeKind.Failed), tally.Imports);
        await CompleteOnShardsAsync(outcomes);
    }

    private void PausedItself()
    {
        if (_selfPause.Paused())
        {
            Alert(AlertEvents.Paused, _hold.Reason);
        }
    }

    /// <summary>Queued for the export's webhook, if it names one; delivery happens off this grain (<see cref="AlertSender"/>).</summary>
    private void Alert(string alertEvent, string? reason)
    {
        if (state.State.Definition is { AlertWebhook: { } webhook } definition)
        {
            alerts.Enqueue(webhook, new ExportAlert(Id, definition.DisplayName, alertEvent, null, reason, time.GetUtcNow()));
        }
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

            _scheduler.NoteShardPending(group.Key, completion.Pending);

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

    private async Task CompleteOnShardsAsync(List<ContactOutcome> outcomes)
    {
        ExportMetrics.RecordOutcomes(Id, outcomes);
        await HandOutcomesToShardsAsync(outcomes);
    }

    // ---- Mass-unsubscribe guard, preview and member stories (rules: UnsubscribeGuard, SendPreviewBuilder, MemberStories) ----

    private static readonly TimeSpan HeldCheckInterval = TimeSpan.FromSeconds(1);
    private DateTimeOffset _nextHeldCheck;

    /// <summary>
    /// Weighs the shards' pending unsubscribes before a batch is collected (and, while holding, every second, so that
    /// the hold lifts when upstream brings members back). Returns whether unsubscribes are to be held back.
    /// </summary>
    private async Task<bool> CheckUnsubscribeGuardAsync(bool runActive)
    {
        var held = state.State.UnsubscribeHold?.Held;
        var released = state.State.UnsubscribeHold?.Released ?? false;
        var guardOff = state.State.Definition!.MaxUnsubscribePercent is null && held is null && !released;
        var due = _scheduler.IsBatchDue(runActive) || held is not null && time.GetUtcNow() >= _nextHeldCheck;
        if (!Sending || guardOff || !due)
        {
            return held is not null;
        }

        _nextHeldCheck = time.GetUtcNow() + HeldCheckInterval;
        // Cheap first (the queues only); the scan for subscribed contacts only when enough wait to matter.
        var figures = await GetUnsubscribeFiguresAsync(countSubscribed: false);
        if (figures.PendingUnsubscribes > UnsubscribeGuard.MinimumHeld)
        {
            figures = await GetUnsubscribeFiguresAsync(countSubscribed: true);
        }

        var decision = UnsubscribeGuard.Evaluate(held, released, figures, state.State.Definition.MaxUnsubscribePercent, time.GetUtcNow());
        if (decision.Held != held || decision.Released != released)
        {
            state.State.UnsubscribeHold = decision.Held is null && !decision.Released ? null : new UnsubscribeHoldState(decision.Held, decision.Released);
            await WriteStateAsync();
        }

        if (decision.Started)
        {
            GuardLog.Held(logger, Id, decision.Held!.Count);
            Alert(AlertEvents.UnsubscribesHeld, decision.Held.Reason);
        }

        if (decision.Lifted)
        {
            GuardLog.Lifted(logger, Id, figures.PendingUnsubscribes);
            _scheduler.NoteAllOverdue();
        }

        return decision.Held is not null;
    }

    private async Task<UnsubscribeFigures> GetUnsubscribeFiguresAsync(bool countSubscribed) =>
        (await Task.WhenAll(Enumerable.Range(0, state.State.ShardCount).Select(i => Shard(i).GetUnsubscribeFiguresAsync(countSubscribed))))
            .Aggregate(UnsubscribeFigures.Zero, (sum, one) => sum.Add(one));

    public async Task<OperationResult<ExportStatus>> ReleaseUnsubscribesAsync(string user)
    {
        if (state.State.Definition is null)
        {
            return OperationResult<ExportStatus>.Fail(OperationErrorKind.NotFound, $"Export '{Id}' does not exist.");
        }

        if (state.State.UnsubscribeHold?.Held is not { } held)
        {
            return OperationResult<ExportStatus>.Fail(OperationErrorKind.Conflict, $"Export '{Id}' holds no unsubscribes: there is nothing to release.");
        }

        state.State.UnsubscribeHold = new UnsubscribeHoldState(null, Released: true);
        await WriteStateAsync();
        await AuditAsync(user, AuditAction.UnsubscribesReleased, []);
        _scheduler.NoteAllOverdue();
        GuardLog.Released(logger, Id, user, held.Count);
        return OperationResult<ExportStatus>.Ok((await GetStatusAsync())!);
    }

    public async Task<SendPreview?> PreviewAsync(bool asRun)
    {
        if (state.State.Definition is null)
        {
            return null;
        }

        var holding = state.State.UnsubscribeHold?.Held is not null;
        var shards = await Task.WhenAll(Enumerable.Range(0, state.State.ShardCount).Select(i => Shard(i).PreviewAsync(asRun, holding)));
        return shards.Aggregate(SendPreview.Empty, (sum, one) => sum.Add(one));
    }

    public Task<MemberStory?> GetMemberAsync(string profileId) =>
        state.State.Definition is null ? Task.FromResult<MemberStory?>(null) : Shard(ProfileHash.Bucket(profileId, state.State.ShardCount)).GetMemberAsync(profileId);

    /// <summary>A scan of every shard (no email index is kept): the newest change wins when profiles share an address.</summary>
    public async Task<MemberStory?> FindMemberByEmailAsync(string email)
    {
        if (state.State.Definition is null)
        {
            return null;
        }

        var found = await Task.WhenAll(Enumerable.Range(0, state.State.ShardCount).Select(i => Shard(i).FindMemberByEmailAsync(email)));
        return found.Where(story => story is not null).MaxBy(story => story!.LastChangeAt);
    }

    // ---- Helpers ----

    private static ShardConfig ShardConfigOf(ExportDefinition definition) => new(definition.SegmentIds, definition.Mapping, definition.OnLeave, definition.OnErase);

    private ICatalogGrain Catalog => GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey);

    private IExportRunsGrain Runs => GrainFactory.GetGrain<IExportRunsGrain>(Id);

    private ISegmentGrain Segment(string segmentId) => GrainFactory.GetGrain<ISegmentGrain>(segmentId);

    private IExportShardGrain Shard(int index) => GrainFactory.GetGrain<IExportShardGrain>(ExportShardGrain.Key(Id, index));

    private Task ForEachShardAsync(Func<IExportShardGrain, Task> action) =>
        Task.WhenAll(Enumerable.Range(0, state.State.ShardCount).Select(i => action(Shard(i))));

    private Task ForEachShardIndexAsync(Func<int, Task> action) =>
        Task.WhenAll(Enumerable.Range(0, state.State.ShardCount).Select(action));

    private async Task<ShardCounters[]> GetShardCountersAsync() =>
        await Task.WhenAll(Enumerable.Range(0, state.State.ShardCount).Select(i => Shard(i).GetCountersAsync()));

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
