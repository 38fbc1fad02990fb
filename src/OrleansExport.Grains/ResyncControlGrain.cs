using Microsoft.Extensions.Logging;

namespace OrleansExport.Grains;

[GenerateSerializer]
public sealed class ResyncState
{
    /// <summary>Newest last, at most <see cref="ResyncControlGrain.HistoryLength"/>.</summary>
    [Id(0)] public List<RunView> Runs { get; set; } = [];
}

/// <summary>
/// Starts full runs of one export (key: export id), keeps at most one running, and drives it to the
/// end from persisted state: a reminder re-activates this grain on another silo if the one that
/// started the run dies, and the run goes on from what the export and its shards persisted.
/// </summary>
public sealed class ResyncControlGrain(
    [PersistentState("runs", Constants.ExportStore)] IPersistentState<ResyncState> state,
    TimeProvider time,
    ILogger<ResyncControlGrain> logger) : Grain, IResyncControlGrain, IRemindable
{
    public const int HistoryLength = 50;
    private const string WatchdogReminder = "run-watchdog";
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    private IGrainTimer? _progressTimer;

    private string ExportId => this.GetPrimaryKeyString();

    private RunView? Current => state.State.Runs.LastOrDefault(r => r.Status is RunStatus.Queued or RunStatus.Running);

    private IExportGrain Export => GrainFactory.GetGrain<IExportGrain>(ExportId);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Current is not null)
        {
            StartProgressTimer();
        }

        return Task.CompletedTask;
    }

    public async Task<OperationResult<RunView>> StartRunAsync(string trigger)
    {
        if (Current is { } running)
        {
            return OperationResult<RunView>.Fail(OperationErrorKind.Conflict,
                $"Run {running.RunId} of export '{ExportId}' is still {running.Status.ToString().ToLowerInvariant()}; wait for it to finish or cancel it.");
        }

        var status = await Export.GetStatusAsync();
        if (status is null)
        {
            return OperationResult<RunView>.Fail(OperationErrorKind.NotFound, $"Export '{ExportId}' does not exist.");
        }

        if (status.Paused is { } paused && paused.StartsWith("Stopped", StringComparison.Ordinal))
        {
            return OperationResult<RunView>.Fail(OperationErrorKind.Conflict, $"Export '{ExportId}' cannot run: {paused}");
        }

        var run = new RunView($"run-{Guid.NewGuid():N}"[..16], RunStatus.Running, time.GetUtcNow(), null, 0, 0, 0, 0, 0, 0, trigger, null);
        Save(run);
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(WatchdogReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));

        var total = await Export.BeginRunAsync(run.RunId);
        run = run with { Total = total };
        Save(run);
        await state.WriteStateAsync();
        StartProgressTimer();
        logger.LogInformation("Run {RunId} of export {ExportId} started ({Trigger})", run.RunId, ExportId, trigger);
        return OperationResult<RunView>.Ok(run);
    }

    public Task<IReadOnlyList<RunView>> ListRunsAsync() => Task.FromResult<IReadOnlyList<RunView>>(state.State.Runs.AsEnumerable().Reverse().ToList());

    public Task<RunView?> GetRunAsync(string runId) => Task.FromResult(state.State.Runs.FirstOrDefault(r => r.RunId == runId));

    public async Task<OperationResult<RunView>> CancelRunAsync(string runId)
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

        await Export.CancelRunAsync(runId);
        run = run with { Status = RunStatus.Cancelled, FinishedAt = time.GetUtcNow() };
        await FinishAsync(run);
        return OperationResult<RunView>.Ok(run);
    }

    public async Task ClearAsync()
    {
        _progressTimer?.Dispose();
        await UnregisterWatchdogAsync();
        await state.ClearStateAsync();
        state.State = new ResyncState();
        DeactivateOnIdle();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => CheckProgressAsync(CancellationToken.None);

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
        if (Current is not { } run)
        {
            _progressTimer?.Dispose();
            await UnregisterWatchdogAsync();
            return;
        }

        var progress = await Export.GetRunProgressAsync(run.RunId);
        if (!progress.Known)
        {
            // The export lost track of this run (e.g. it was deleted or restarted before persisting it): start it again.
            try
            {
                var total = await Export.BeginRunAsync(run.RunId);
                Save(run with { Total = total });
                await state.WriteStateAsync();
            }
            catch (InvalidOperationException exception)
            {
                await FinishAsync(run with { Status = RunStatus.Failed, FinishedAt = time.GetUtcNow(), Error = exception.Message });
            }

            return;
        }

        var done = progress.Total - progress.Remaining;
        run = run with
        {
            Total = progress.Total,
            Sent = progress.Sent,
            Unsubscribed = progress.Unsubscribed,
            Failed = progress.Failed,
            SkippedByCap = progress.SkippedByCap,
            Progress = progress.Total == 0 ? 1 : Math.Clamp((double)done / progress.Total, 0, 1),
            Error = progress.Error,
        };

        if (!progress.Done)
        {
            Save(run);
            return;
        }

        var status = progress.Failed == 0 ? RunStatus.Succeeded
            : progress.Sent + progress.Unsubscribed > 0 ? RunStatus.PartiallySucceeded
            : RunStatus.Failed;
        await FinishAsync(run with { Status = status, FinishedAt = time.GetUtcNow(), Progress = 1 });
    }

    private async Task FinishAsync(RunView run)
    {
        Save(run);
        await state.WriteStateAsync();
        _progressTimer?.Dispose();
        _progressTimer = null;
        await UnregisterWatchdogAsync();
        logger.LogInformation("Run {RunId} of export {ExportId} ended {Status}: {Sent} sent, {Unsubscribed} unsubscribed, {Failed} failed",
            run.RunId, ExportId, run.Status, run.Sent, run.Unsubscribed, run.Failed);
    }

    private void Save(RunView run)
    {
        var runs = state.State.Runs;
        var index = runs.FindIndex(r => r.RunId == run.RunId);
        if (index >= 0)
        {
            runs[index] = run;
            return;
        }

        runs.Add(run);
        if (runs.Count > HistoryLength)
        {
            runs.RemoveRange(0, runs.Count - HistoryLength);
        }
    }

    private async Task UnregisterWatchdogAsync()
    {
        if (await this.GetReminder(WatchdogReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }
}
