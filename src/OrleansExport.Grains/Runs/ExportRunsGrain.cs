using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Alerts;

namespace OrleansExport.Grains.Runs;

/// <summary>
/// Starts full runs of one export (key: export id), on demand and from its cron schedule; keeps at
/// most one queued or running, takes turns with the account's other exports through
/// <see cref="IAccountRunQueueGrain"/>, and drives the run to the end from persisted state: a reminder
/// re-activates this grain on another silo if the one driving it dies.
/// </summary>
/// <remarks>Keeps the grain type name of its first name, ResyncControlGrain, that its state and reminders are stored under.</remarks>
[GrainType("resynccontrol")]
public sealed partial class ExportRunsGrain(
    [PersistentState("runs", Constants.ExportStore)] IPersistentState<ExportRunsState> state,
    IOptions<ActiveCampaignOptions> activeCampaign,
    IAlertSender alerts,
    TimeProvider time,
    ILogger<ExportRunsGrain> logger) : Grain, IExportRunsGrain, IRemindable
{
    private const string WatchdogReminder = "run-watchdog";
    private const string ScheduleReminder = "schedule";
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    /// <summary>Progress checks between two looks at whether the export was paused (each costs a status call).</summary>
    private const int PauseCheckEvery = 5;

    private IGrainTimer? _progressTimer;
    private int _checksSincePauseCheck;

    private string ExportId => this.GetPrimaryKeyString();

    private RunView? Current => state.State.CurrentRun();

    private IExportGrain Export => GrainFactory.GetGrain<IExportGrain>(ExportId);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Current is { Status: RunStatus.Running })
        {
            StartProgressTimer();
        }

        return Task.CompletedTask;
    }

    public async Task<OperationResult<RunView>> StartRunAsync(string trigger, string by)
    {
        if (Current is { } current)
        {
            return OperationResult<RunView>.Fail(OperationErrorKind.Conflict,
                $"Run {current.RunId} of export '{ExportId}' is still {current.Status.ToString().ToLowerInvariant()}; wait for it to finish or cancel it.");
        }

        var status = await Export.GetStatusAsync();
        if (status is null)
        {
            return OperationResult<RunView>.Fail(OperationErrorKind.NotFound, $"Export '{ExportId}' does not exist.");
        }

        var connection = await GrainFactory.GetGrain<IConnectionGrain>(status.Definition.ConnectionId).GetAsync();
        if (connection is null || status.Stopped is not null || status.PausedByUser)
        {
            return OperationResult<RunView>.Fail(OperationErrorKind.Conflict, $"Export '{ExportId}' cannot run: {status.Paused ?? "its connection was deleted"}");
        }

        var run = new RunView($"run-{Guid.NewGuid():N}"[..16], RunStatus.Queued, null, null, 0, 0, 0, 0, 0, 0, trigger, null);
        state.State.Hostname = connection.Hostname;
        state.State.Save(run);
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(WatchdogReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        await AuditAsync(by, AuditAction.RunStarted, run.RunId);

        if (await Queue.EnqueueAsync(ExportId, run.RunId))
        {
            run = await BeginAsync(run);
        }
        else
        {
            LogRunQueued(run.RunId, ExportId, connection.Hostname);
        }

        return OperationResult<RunView>.Ok(run);
    }

    public async Task<bool> StartQueuedRunAsync(string runId)
    {
        if (Current is not { Status: RunStatus.Queued } run || run.RunId != runId)
        {
            return Current?.RunId == runId;
        }

        await BeginAsync(run);
        return true;
    }

    private async Task<RunView> BeginAsync(RunView run)
    {
        run = run with { Status = RunStatus.Running, StartedAt = time.GetUtcNow() };
        state.State.Save(run);
        await state.WriteStateAsync();
        try
        {
            run = run with { Total = await Export.BeginRunAsync(run.RunId) };
        }
        catch (InvalidOperationException exception)
        {
            await FinishAsync(run with { Status = RunStatus.Failed, FinishedAt = time.GetUtcNow(), Error = exception.Message });
            return Current ?? state.State.Runs[^1];
        }

        state.State.Save(run);
        await state.WriteStateAsync();
        StartProgressTimer();
        LogRunStarted(run.RunId, ExportId, run.Trigger, run.Total);
        return run;
    }

    public Task<IReadOnlyList<RunView>> ListRunsAsync() => Task.FromResult<IReadOnlyList<RunView>>(state.State.Runs.AsEnumerable().Reverse().ToList());

    public Task<RunView?> GetRunAsync(string runId) => Task.FromResult(state.State.Runs.FirstOrDefault(r => r.RunId == runId));

    public async Task<OperationResult<RunView>> CancelRunAsync(string runId, string user)
    {
        var run = state.State.Runs.FirstOrDefault(r => r.RunId == runId);
        if (run is null)
        {
            return OperationResult<RunView>.Fail(OperationErrorKind.NotFound, $"Run '{runId}' of export '{ExportId}' does not exist.");
        }

        if (run.Status is not (RunStatus.Queued or RunStatus.Running))
        {
            return OperationResult<RunView>.Fail(OperationErrorKind.Conflict, $"Run '{runId}' already finished ({run.Status}).");
        }

        if (run.Status == RunStatus.Running)
        {
            await Export.CancelRunAsync(runId);
        }

        run = run with { Status = RunStatus.Cancelled, FinishedAt = time.GetUtcNow() };
        await FinishAsync(run);
        await AuditAsync(user, AuditAction.RunCancelled, runId);
        return OperationResult<RunView>.Ok(run);
    }

    /// <summary>The audit trail (docs/api.md: GET /api/audit) learns of a run started or cancelled.</summary>
    private Task AuditAsync(string user, AuditAction action, string runId) =>
        GrainFactory.GetGrain<IAuditGrain>(IAuditGrain.Key).RecordAsync(new AuditEntry(time.GetUtcNow(), user, action, AuditSubject.Export, ExportId, [], runId));

    public async Task ConfigureScheduleAsync(string? schedule)
    {
        state.State.Schedule = schedule;
        state.State.ScheduleCheckedUpTo = time.GetUtcNow();
        await state.WriteStateAsync();
        if (schedule is not null)
        {
            await this.RegisterOrUpdateReminder(ScheduleReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }
        else
        {
            await UnregisterAsync(ScheduleReminder);
        }
    }

    public async Task ClearAsync()
    {
        _progressTimer?.Dispose();
        await UnregisterAsync(WatchdogReminder);
        await UnregisterAsync(ScheduleReminder);

        if (state.State.Hostname is not null)
        {
            await StartNextAsync(await Queue.RemoveExportAsync(ExportId));
        }

        await state.ClearStateAsync();
        state.State = new ExportRunsState();
        DeactivateOnIdle();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ScheduleReminder)
        {
            await FireScheduleAsync();
            return;
        }

        if (Current is not { } run)
        {
            await UnregisterAsync(WatchdogReminder);
        }
        else if (run.Status == RunStatus.Running)
        {
            await CheckProgressAsync(CancellationToken.None);
        }
        else if (await Queue.EnqueueAsync(ExportId, run.RunId))
        {
            // The queue says it is our turn, but the run never started (e.g. a silo died in between).
            await BeginAsync(run);
        }
    }

    /// <summary>Starts a run if the schedule had an occurrence since the last look; overlapping triggers are skipped.</summary>
    private async Task FireScheduleAsync()
    {
        if (!state.State.TryLookAtSchedule(time.GetUtcNow(), out var due))
        {
            return;
        }

        await state.WriteStateAsync();
        if (due is null)
        {
            return;
        }

        var result = await StartRunAsync($"scheduled ({state.State.Schedule}, due {due:u})", "schedule");
        if (result.Error is { } error)
        {
            LogScheduledRunSkipped(ExportId, due, error.Detail);
        }
    }

    private void StartProgressTimer()
    {
        _progressTimer?.Dispose();
        _progressTimer = this.RegisterGrainTimer(CheckProgressAsync, new GrainTimerCreationOptions
        {
            DueTime = ProgressInterval,
            Period = ProgressInterval,
            KeepAlive = true,
        });
    }

    private async Task CheckProgressAsync(CancellationToken cancellationToken)
    {
        if (Current is not { Status: RunStatus.Running } run)
        {
            _progressTimer?.Dispose();
            return;
        }

        if (++_checksSincePauseCheck >= PauseCheckEvery)
        {
            _checksSincePauseCheck = 0;
            if (await Export.GetStatusAsync() is { PausedByUser: true } paused)
            {
                await GiveUpPausedRunAsync(run, paused.Paused);
                return;
            }
        }

        var progress = await Export.GetRunProgressAsync(run.RunId);
        if (!progress.Known)
        {
            // The export lost track of this run (it restarted before persisting it): start it again.
            await BeginAsync(run);
            return;
        }

        run = RunProgressRules.Observed(run, progress, activeCampaign.Value.Limits, time.GetUtcNow());
        if (!progress.Done)
        {
            state.State.Save(run);
            return;
        }

        await FinishAsync(run with { Status = RunProgressRules.Outcome(progress), FinishedAt = time.GetUtcNow(), Progress = 1, Eta = null });
    }

    /// <summary>A paused export sends nothing, so its run would hold the account's run queue for good: it ends, cancelled.</summary>
    private async Task GiveUpPausedRunAsync(RunView run, string? pausedBecause)
    {
        await Export.CancelRunAsync(run.RunId);
        await FinishAsync(run with
        {
            Status = RunStatus.Cancelled,
            FinishedAt = time.GetUtcNow(),
            Eta = null,
            Error = $"Cancelled because the export was paused during the run ({pausedBecause}); the account's other exports run in the meantime. Start a new run after resuming it.",
        });
        LogPausedRunGaveUp(run.RunId, ExportId);
    }

    private async Task FinishAsync(RunView run)
    {
        // The account's queue first: releasing is idempotent, and a failure here leaves the run running, so the progress
        // timer or the watchdog ends it again. Saved first, a failure in between held the queue for good.
        var next = state.State.Hostname is null ? null : await Queue.FinishAsync(ExportId, run.RunId);
        state.State.Save(run);
        await state.WriteStateAsync();
        _progressTimer?.Dispose();
        _progressTimer = null;
        await UnregisterAsync(WatchdogReminder);
        LogRunEnded(run.RunId, ExportId, run.Status, run.Sent, run.Unsubscribed, run.Failed);
        await StartNextAsync(next);

        if (run.Status is RunStatus.Failed or RunStatus.PartiallySucceeded)
        {
            await AlertAsync(run);
        }
    }

    /// <summary>Queued for the export's webhook, if it names one (docs/api.md: Alerts); delivery happens off this grain.</summary>
    private async Task AlertAsync(RunView run)
    {
        if (await Export.GetStatusAsync() is not { Definition.AlertWebhook: { } webhook } status)
        {
            return;
        }

        alerts.Enqueue(webhook, RunProgressRules.Alert(run, ExportId, status.Definition.DisplayName, time.GetUtcNow()));
    }

    /// <summary>Hands the account to the next queued run; a run that is gone passes it on.</summary>
    private async Task StartNextAsync(QueuedRun? next)
    {
        while (next is not null && next.ExportId != ExportId
               && !await GrainFactory.GetGrain<IExportRunsGrain>(next.ExportId).StartQueuedRunAsync(next.RunId))
        {
            next = await Queue.FinishAsync(next.ExportId, next.RunId);
        }
    }

    private IAccountRunQueueGrain Queue => GrainFactory.GetGrain<IAccountRunQueueGrain>(state.State.Hostname!);

    private async Task UnregisterAsync(string reminderName)
    {
        if (await this.GetReminder(reminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} of export {ExportId} queued behind another run on {Hostname}")]
    private partial void LogRunQueued(string runId, string exportId, string hostname);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} of export {ExportId} started ({Trigger}): {Total} contacts")]
    private partial void LogRunStarted(string runId, string exportId, string trigger, long total);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} of export {ExportId} gave up its place in the account's run queue: the export was paused")]
    private partial void LogPausedRunGaveUp(string runId, string exportId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled run of export {ExportId} due {Due} skipped: {Reason}")]
    private partial void LogScheduledRunSkipped(string exportId, DateTimeOffset? due, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} of export {ExportId} ended {Status}: {Sent} sent, {Unsubscribed} unsubscribed, {Failed} failed")]
    private partial void LogRunEnded(string runId, string exportId, RunStatus status, long sent, long unsubscribed, long failed);
}
