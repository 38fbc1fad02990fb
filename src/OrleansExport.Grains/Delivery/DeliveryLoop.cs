using Microsoft.Extensions.Logging;
using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Activity;
using OrleansExport.Grains.Alerts;
using OrleansExport.Grains.Connections;
using OrleansExport.Grains.Exports;

namespace OrleansExport.Grains.Delivery;

/// <summary>
/// The delivery loop of one export, run by its <see cref="ExportGrain"/> on the grain's timer: collects pending
/// contacts from the shards into full batches (when, and from which shards: <see cref="DeliveryScheduler"/>),
/// asks quiet shards now and then in case their notice was lost (<see cref="QuietShardPoll"/>), sends them through <see cref="BatchSender"/>, holds off on a refused key, an open circuit or failures
/// (<see cref="DeliveryHold"/>, alerting when it pauses itself and resumes), records activity, hands outcomes
/// back to the shards, durable first (<see cref="OutcomeHandover"/>) and counts the running full run. Before collecting,
/// the mass-unsubscribe guard (<see cref="UnsubscribeHoldWatch"/>) decides whether unsubscribes are held back.
/// </summary>
/// <remarks>
/// Runs on the export grain's activation (which is reentrant, so many batches wait for permits at once) and
/// shares its state: <paramref name="exportState"/> gives the current state, <paramref name="writeState"/> saves it.
/// </remarks>
public sealed partial class DeliveryLoop(
    string exportId,
    IGrainFactory grains,
    Func<ExportState> exportState,
    Func<Task> writeState,
    BatchSender sender,
    ApiKeyProtector protector,
    IAlertSender alerts,
    ExportOptions options,
    ActiveCampaignLimits limits,
    ExportWebhookLink webhook,
    TimeProvider time,
    ILogger logger)
{
    private readonly ILogger _logger = logger;
    private readonly DeliveryHold _hold = new(time);
    private readonly SelfPauseWatch _selfPause = new();
    private readonly ActivityBuckets _activity = new();
    private readonly UnsubscribeHoldWatch _unsubscribes = new(exportId, exportState, writeState, time, logger);
    private readonly QuietShardPoll _quietShards = new(exportId, options.PendingPollInterval, time, logger);
    private DeliveryScheduler _scheduler = null!;
    private OutcomeHandover? _handover;
    private ExportShardSet? _shards;
    private int _inFlight;
    private DateTimeOffset _pendingReportDue;

    /// <summary>Why delivery holds off by itself now (a refused key, an open circuit, failures), or null.</summary>
    public string? HoldReason => _hold.Reason;

    public UnsubscribeHoldWatch Unsubscribes => _unsubscribes;

    /// <summary>Where imports ActiveCampaign accepted are journaled until their outcomes reached the shards (<see cref="ImportRecovery"/>).</summary>
    public AcceptedImports? Imports { get; init; }

    /// <summary>Where outcomes go, durable first (<see cref="OutcomeHandover"/>).</summary>
    public OutcomeHandover Handover => _handover ??= new(exportId, () => Shards, exportState, () => _scheduler, Imports, time, _logger);

    private ExportState State => exportState();

    /// <summary>Kept while the export's shard count stays, so that its grain references are made once.</summary>
    private ExportShardSet Shards => _shards is { } shards && shards.Count == State.ShardCount ? shards : _shards = new(grains, exportId, State.ShardCount);

    /// <summary>Starts over with the export's shards: none is known to hold anything yet.</summary>
    public void Reset() => _scheduler = new(State.ShardCount, limits.MaxContactsPerImport, options.MaxBatchDelay, time);

    /// <summary>Every shard may hold contacts that have waited long enough: collect from all of them at once.</summary>
    public void NoteAllOverdue() => _scheduler.NoteAllOverdue();

    public void NoteShardPending(int shardIndex, int pending, bool overdue)
    {
        _scheduler.NoteShardPending(shardIndex, pending);
        if (overdue)
        {
            _scheduler.NoteOverdue(shardIndex);
        }
    }

    public IReadOnlyList<ActivityBucket> Activity(int minutes) => _activity.Window(time.GetUtcNow(), minutes);

    /// <summary>One tick of the grain's timer: saves run counters, refreshes the pending metric, retries outcomes, starts due batches.</summary>
    public async Task PumpAsync()
    {
        if (!State.IsActive)
        {
            return;
        }

        if (Handover.RunCountersChanged)
        {
            Handover.RunCountersChanged = false;
            await writeState();
        }

        if (time.GetUtcNow() >= _pendingReportDue)
        {
            _pendingReportDue = time.GetUtcNow() + ExportMetrics.PendingRefreshInterval;
            ExportMetrics.ReportPending(exportId, (await Shards.GetCountersAsync()).Sum(c => c.Pending));
        }

        await Handover.RetryAsync();
        await _quietShards.PollAsync(_scheduler, Shards, State.IsSending);
        var runActive = State.Run is { Active: true };
        var holdUnsubscribes = await _unsubscribes.CheckAsync(Shards, _scheduler, runActive, Alert);
        var batches = 0;
        while (State.IsSending && _inFlight < options.MaxConcurrentBatches && !_hold.IsHeld && _scheduler.IsBatchDue(runActive))
        {
            // Weighed again before every batch after the first: leaves that arrived while the one before was collected count too.
            if (batches++ > 0)
            {
                holdUnsubscribes = await _unsubscribes.CheckAsync(Shards, _scheduler, runActive, Alert);
            }

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
            return await Shards[index].TakePendingAsync(max, holdUnsubscribes);
        }
        catch (Exception exception)
        {
            LogShardDidNotAnswer(index, exportId, exception.GetType().Name);
            return null;
        }
    }

    private async Task DeliverAsync(List<OutgoingContact> batch)
    {
        // The sender's and the ActiveCampaign client's log lines carry the export (and run) this delivery is for.
        using var scope = ExportLogScope.Begin(_logger, exportId, State.Run is { Active: true } run ? run.RunId : null);
        var definition = State.Definition!;
        List<ContactOutcome> outcomes;
        var connection = grains.GetGrain<IConnectionGrain>(definition.ConnectionId);
        ProtectedCredentials? credentials = null;
        var tally = new ImportTally { Journal = Imports };
        try
        {
            credentials = await connection.GetCredentialsAsync() ?? throw new InvalidOperationException("the connection no longer exists");
            if (credentials.KeyRefused)
            {
                // Nothing is sent with a key the account refused: wait for a new one (PATCH /api/connections/{id}).
                _hold.KeyRefused(definition.ConnectionId);
                PausedItself();
                outcomes = batch.Select(BatchSender.Returned).ToList();
            }
            else
            {
                var account = new ActiveCampaignAccount(credentials.Hostname, protector.Unprotect(credentials.ProtectedApiKey));
                outcomes = await sender.SendAsync(account, definition, batch, CancellationToken.None, tally);
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
                _hold.KeyRefused(definition.ConnectionId);
                PausedItself();
            }

            outcomes = batch.Select(tally.Unanswered).ToList();
        }
        catch (ActiveCampaignCircuitOpenException open)
        {
            var resumeAt = _hold.CircuitOpen(open.Hostname, open.RetryAfter);
            PausedItself();
            LogDeliveryPaused(exportId, resumeAt, open.Message);
            outcomes = batch.Select(tally.Unanswered).ToList();
        }
        catch (Exception exception)
        {
            LogDeliveryFailed(batch.Count, exportId, exception.GetType().Name, exception.Message);
            _hold.Failing(exception.GetType().Name, TimeSpan.FromSeconds(5) / limits.TimeScale);
            outcomes = batch.Select(tally.Unanswered).ToList();
        }
        finally
        {
            _inFlight--;
        }

        _activity.Record(time.GetUtcNow(), outcomes.Count(o => o.Kind != OutcomeKind.Returned), outcomes.Count(o => o.Kind == OutcomeKind.Accepted),
            outcomes.Count(o => o.Kind == OutcomeKind.Failed), tally.Imports);
        ExportMetrics.RecordOutcomes(exportId, outcomes);
        await Handover.HandAsync(tally.Record(outcomes), tally.Accepted, outcomes);
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
        if (State.Definition is { AlertWebhook: { } webhook } definition)
        {
            alerts.Enqueue(webhook, new ExportAlert(exportId, definition.DisplayName, alertEvent, null, reason, time.GetUtcNow()));
        }
    }

    // ---- The full run's counters ----

    /// <summary>Marks every member (and every profile that left) for resending; idempotent per run id.</summary>
    public async Task<long> BeginRunAsync(string runId)
    {
        if (!State.IsActive)
        {
            throw new InvalidOperationException(State.EndedReason ?? $"Export '{exportId}' does not exist.");
        }

        if (State.Run is { } current && current.RunId == runId)
        {
            return current.Total;
        }

        var shards = Shards;
        var perShard = new long[shards.Count];
        await shards.ForEachIndexAsync(async i => perShard[i] = await shards[i].BeginRunAsync(runId));
        for (var i = 0; i < perShard.Length; i++)
        {
            _scheduler.NoteShardPending(i, (int)Math.Min(int.MaxValue, perShard[i]));
        }

        var total = perShard.Sum();
        State.Run = new RunCounters { RunId = runId, Total = total, Active = true };
        State.FirstRunStarted = true;
        await writeState();
        await webhook.RegisterAsync();
        LogRunStarted(runId, exportId, total);
        return total;
    }

    public Task<RunProgress> GetRunProgressAsync(string runId) => RunProgress.GetAsync(runId);

    public Task CancelRunAsync(string runId) => RunProgress.CancelAsync(runId);

    private RunProgressCheck RunProgress => new(exportId, State, Shards, writeState, _hold.Reason, _logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shard {Index} of export {ExportId} did not answer: {Error}")]
    private partial void LogShardDidNotAnswer(int index, string exportId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery of export {ExportId} paused until {ResumeAt:O}: {Reason}")]
    private partial void LogDeliveryPaused(string exportId, DateTimeOffset resumeAt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery of {Count} contacts of export {ExportId} failed and will be retried: {Error}: {Message}")]
    private partial void LogDeliveryFailed(int count, string exportId, string error, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} of export {ExportId} started: {Total} contacts to send")]
    private partial void LogRunStarted(string runId, string exportId, long total);
}
