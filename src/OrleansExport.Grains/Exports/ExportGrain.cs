using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Alerts;
using OrleansExport.Grains.Connections;
using OrleansExport.Grains.Delivery;
using OrleansExport.Grains.Durability;
using OrleansExport.Grains.ExportShards;

namespace OrleansExport.Grains.Exports;

/// <summary>
/// One export: its definition's lifecycle (create, change, pause, resume, stop, delete) and history, the segments
/// it takes members from, and its status gathered from its shards. Validation and the effects of a change live in
/// <see cref="ExportDefinitionRules"/> and <see cref="ExportDefinitionCheck"/>; delivery, with the full run's
/// counters, is the <see cref="DeliveryLoop"/> it runs on its timer; the unsubscribe release, send preview and member
/// look-ups are <see cref="ExportGuardrails"/>; pausing is <see cref="ExportPausing"/>, deleting (a saved intent rolled forward
/// until done) <see cref="ExportDeletion"/>. New-member slots are not leased here: shards lease them from the
/// connection, which enforces both caps in one step.
/// Reentrant so that many batches can wait for permits at once.
/// </summary>
[Reentrant]
public sealed partial class ExportGrain(
    [PersistentState("export", Constants.ExportStore)] IPersistentState<ExportState> state,
    BatchSender sender,
    ApiKeyProtector protector,
    IActiveCampaignClient client,
    IOptions<ExportOptions> options,
    IOptions<ActiveCampaignOptions> activeCampaignOptions,
    IAlertSender alerts,
    TimeProvider time,
    ILogger<ExportGrain> logger,
    IShardJournal? journal = null) : Grain, IExportGrain, IRemindable
{
    private const string KeepAliveReminder = "keep-delivering";

    private static readonly TimeSpan DeletionRetryInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The journal of deliveries starts a new generation after about one export's worth of contacts (the last run's), so
    /// that the shards' snapshots it waits for cost about what it does; never after fewer than this.
    /// </summary>
    private const long MinContactsPerJournalGeneration = 100_000;

    private readonly SemaphoreSlim _writeLock = new(1, 1);

    // Changes of the definition go one at a time: each reconfigures shards and segments.
    private readonly SemaphoreSlim _definitionLock = new(1, 1);
    private DeliveryLoop _delivery = null!;
    private AcceptedImports _imports = null!;
    private IGrainTimer? _pump;
    private IGrainTimer? _deletionRetry;

    private string Id => this.GetPrimaryKeyString();

    private ExportOptions Options => options.Value;

    private bool Active => state.State.IsActive;

    private ExportShardSet Shards => new(GrainFactory, Id, state.State.ShardCount);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _imports = new AcceptedImports(Id, journal, () => state.State, WriteStateAsync, () => Shards.PersistAllAsync(_delivery.Handover.HandedThrough),
            () => Math.Max(MinContactsPerJournalGeneration, state.State.Run?.Total ?? 0), logger);
        _delivery = new DeliveryLoop(Id, GrainFactory, () => state.State, WriteStateAsync, sender, protector, alerts, Options,
            activeCampaignOptions.Value.Limits, Webhook, time, logger) { Imports = _imports };
        if (state.State.Definition is null)
        {
            return;
        }

        _delivery.Reset();
        if (state.State.Deletion is not null)
        {
            RetryDeletion(TimeSpan.Zero);
        }

        if (!Active)
        {
            return;
        }

        await Segments.RollForwardAsync();
        await Segments.SubscribeMissingAsync();
        var connectionId = state.State.Definition.ConnectionId;
        var limits = activeCampaignOptions.Value.Limits;
        await new DeliveryRestart(Id, Shards, _delivery, _imports,
            () => new ImportRecovery(Id, new ImportConfirmation(client, Options, limits, time, logger),
                () => ImportRecovery.AccountOfAsync(GrainFactory, protector, connectionId), _delivery.Handover.HandAsync, logger),
            Options.ImportFailureRetries, () => Active, StartPump, () => DelayDeactivation(Options.ImportInfoTimeout / limits.TimeScale + TimeSpan.FromMinutes(1)), DeactivateOnIdle, logger)
            .StartAsync();
    }

    public async Task<OperationResult<ExportDefinition>> CreateAsync(ExportDefinition definition)
    {
        if (state.State.Definition is not null)
        {
            return OperationResult<ExportDefinition>.Fail(OperationErrorKind.Conflict, $"Export '{Id}' already exists.");
        }

        if (await Check.CheckAsync(definition, verifyList: true) is { } invalid)
        {
            return new(null, invalid);
        }

        state.State.Definition = definition;
        state.State.ShardCount = Options.ShardCount;
        state.State.AddHistory(time.GetUtcNow(), definition.CreatedBy, DefinitionAction.Created, []);
        _delivery.Reset();
        await Shards.ForEachAsync(shard => shard.ConfigureAsync(Segments.ShardConfigOf(definition)));
        await WriteStateAsync();
        await Catalog.AddExportAsync(Id, definition.ConnectionId);
        await Segments.SubscribeMissingAsync();
        await this.RegisterOrUpdateReminder(KeepAliveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        if (definition.Schedule is not null)
        {
            await Runs.ConfigureScheduleAsync(definition.Schedule);
        }

        StartPump();
        await AuditAsync(definition.CreatedBy, AuditAction.Created, []);
        LogCreated(Id, string.Join(",", definition.SegmentIds), definition.ListId);
        return OperationResult<ExportDefinition>.Ok(definition);
    }

    public Task<int> GetShardCountAsync() => Task.FromResult(state.State.ShardCount);

    public Task<ExportStatus?> GetStatusAsync() => ExportReports.StatusAsync(Id, state.State, Shards, _delivery.HoldReason);

    public async Task<OperationResult<ExportStatus>> UpdateAsync(ExportPatch patch, string user)
    {
        await _definitionLock.WaitAsync();
        try
        {
            var (refused, changed) = await new ExportChange(Id, state.State, WriteStateAsync, Segments, Check, Runs, time).ApplyAsync(patch, user);
            if (refused is not null)
            {
                return new(null, refused);
            }

            if (changed.Count > 0)
            {
                await AuditAsync(user, AuditAction.Updated, changed);
                LogChanged(Id, user, string.Join(", ", changed));
            }

            return OperationResult<ExportStatus>.Ok((await GetStatusAsync())!);
        }
        finally
        {
            _definitionLock.Release();
        }
    }

    public Task<OperationResult<ExportStatus>> PauseAsync(string user) => SetPausedAsync(user, pause: true);

    public Task<OperationResult<ExportStatus>> ResumeAsync(string user) => SetPausedAsync(user, pause: false);

    private async Task<OperationResult<ExportStatus>> SetPausedAsync(string user, bool pause) =>
        await new ExportPausing(Id, state.State, WriteStateAsync, _delivery, (by, action) => AuditAsync(by, action, []), time, logger).SetAsync(user, pause)
            ? OperationResult<ExportStatus>.Ok((await GetStatusAsync())!)
            : OperationResult<ExportStatus>.Fail(OperationErrorKind.NotFound, $"Export '{Id}' does not exist.");

    /// <summary>The audit trail (docs/api.md: GET /api/audit) learns of an action once it is saved.</summary>
    private Task AuditAsync(string user, AuditAction action, IReadOnlyList<string> fields) =>
        GrainFactory.GetGrain<IAuditGrain>(IAuditGrain.Key).RecordAsync(new AuditEntry(time.GetUtcNow(), user, action, AuditSubject.Export, Id, fields));

    public Task<IReadOnlyList<Rejection>> GetRejectionsAsync(RejectionKind? kind, int offset, int limit) => ExportReports.RejectionsAsync(Shards, kind, offset, limit);

    public Task<RejectionSummary> GetRejectionSummaryAsync() => ExportReports.RejectionSummaryAsync(Shards);

    public Task<IReadOnlyList<ActivityBucket>> GetActivityAsync(int minutes) => Task.FromResult(_delivery.Activity(minutes));

    public async Task DeleteAsync(string user)
    {
        if (await Deletion.BeginAsync(user))
        {
            _pump?.Dispose();
            await FinishDeletionAsync();
        }
    }

    /// <summary>One at a time with changes of the definition; a failure is thrown, and retried shortly (<see cref="RetryDeletion"/>).</summary>
    private async Task FinishDeletionAsync()
    {
        await _definitionLock.WaitAsync();
        try
        {
            await Deletion.RollForwardAsync();
        }
        catch (Exception)
        {
            RetryDeletion(DeletionRetryInterval);
            throw;
        }
        finally
        {
            _definitionLock.Release();
        }
    }

    /// <summary>Until the deletion is done (a failed attempt is logged, and thrown to the timer); after a restart, activation starts it again.</summary>
    private void RetryDeletion(TimeSpan due) => _deletionRetry ??=
        this.RegisterGrainTimer(_ => FinishDeletionAsync(), new GrainTimerCreationOptions { DueTime = due, Period = DeletionRetryInterval, Interleave = true });

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
        LogStopped(Id, reason);
    }

    public Task<ShardConfig?> GetShardConfigAsync() => Task.FromResult(state.State.Definition is { } definition ? Segments.ShardConfigOf(definition) : null);

    public Task ShardHasPendingAsync(int shardIndex, int pending, bool overdue)
    {
        if (Active && shardIndex >= 0 && shardIndex < state.State.ShardCount)
        {
            _delivery.NoteShardPending(shardIndex, pending, overdue);
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

    public Task<long> BeginRunAsync(string runId) => _delivery.BeginRunAsync(runId);

    public Task<RunProgress> GetRunProgressAsync(string runId) => _delivery.GetRunProgressAsync(runId);

    public Task CancelRunAsync(string runId) => _delivery.CancelRunAsync(runId);

    public async Task<OperationResult<ExportStatus>> ReleaseUnsubscribesAsync(string user) =>
        await Guardrails.ReleaseAsync(user, () => AuditAsync(user, AuditAction.UnsubscribesReleased, [])) is { } refused
            ? new(null, refused)
            : OperationResult<ExportStatus>.Ok((await GetStatusAsync())!);

    public Task<SendPreview?> PreviewAsync(bool asRun) => Guardrails.PreviewAsync(asRun);

    public Task<MemberStory?> GetMemberAsync(string profileId) => Guardrails.MemberAsync(profileId);

    public Task<MemberStory?> FindMemberByEmailAsync(string email) => Guardrails.FindByEmailAsync(email);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Activation already resumed delivery; the reminder exists so a silo loss cannot leave pending contacts unsent,
        // and a change of the definition half applied.
        if (Active && reminderName == KeepAliveReminder && state.State.PendingChange is not null)
        {
            await _definitionLock.WaitAsync();
            try
            {
                await Segments.RollForwardAsync();
            }
            finally
            {
                _definitionLock.Release();
            }
        }

        if (!Active && state.State.Deletion is null && reminderName == KeepAliveReminder)
        {
            await UnregisterKeepAliveAsync();
        }
    }

    private async Task UnregisterKeepAliveAsync()
    {
        if (await this.GetReminder(KeepAliveReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private void StartPump()
    {
        _pump?.Dispose();
        _pump = this.RegisterGrainTimer(_ => _delivery.PumpAsync(), new GrainTimerCreationOptions
        {
            DueTime = Options.FlushInterval,
            Period = Options.FlushInterval,
            Interleave = true,
            KeepAlive = true,
        });
    }

    private ICatalogGrain Catalog => GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey);

    private IExportRunsGrain Runs => GrainFactory.GetGrain<IExportRunsGrain>(Id);

    private ExportWebhookLink Webhook => new(GrainFactory, Id, () => state.State, logger);

    private ExportSegments Segments => new(GrainFactory, Id, state.State, WriteStateAsync, Options.MaxProfilesPerExport, Webhook);

    private ExportDeletion Deletion => new(GrainFactory, Id, state, WriteStateAsync, Segments, Shards, _imports, Webhook, DeletedAsync, time, logger);

    private async Task DeletedAsync()
    {
        await UnregisterKeepAliveAsync();
        DeactivateOnIdle();
    }

    private ExportGuardrails Guardrails => new(Id, state.State, Shards, _delivery, logger);

    private ExportDefinitionCheck Check => new(GrainFactory, protector, client, activeCampaignOptions.Value, Options);

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId} of segments {Segments} to list {ListId} created")]
    private partial void LogCreated(string exportId, string segments, string listId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId} changed by {User}: {Fields}")]
    private partial void LogChanged(string exportId, string user, string fields);

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId} stopped: {Reason}")]
    private partial void LogStopped(string exportId, string reason);
}
