namespace OrleansExport;

/// <summary>On-demand (and scheduled) full runs of one export (key: export id), and their history.</summary>
public interface IExportRunsGrain : IGrainWithStringKey
{
    /// <summary>Queues a run (it starts at once unless another run holds the account); 409-style conflict while one is queued or running.</summary>
    /// <param name="trigger">What started it, for the run's <c>trigger</c>.</param>
    /// <param name="by">Who started it, for the audit trail: a user, or <c>schedule</c>.</param>
    Task<OperationResult<RunView>> StartRunAsync(string trigger, string by);

    /// <summary>The account's queue says it is this run's turn; false if the run is gone (the queue moves on).</summary>
    Task<bool> StartQueuedRunAsync(string runId);

    /// <summary>Sets the export's cron schedule (UTC) for scheduled runs, or null for none.</summary>
    Task ConfigureScheduleAsync(string? schedule);

    Task<IReadOnlyList<RunView>> ListRunsAsync();

    Task<RunView?> GetRunAsync(string runId);

    Task<OperationResult<RunView>> CancelRunAsync(string runId, string user);

    /// <summary>The export was deleted: forget runs and reminders.</summary>
    Task ClearAsync();
}
