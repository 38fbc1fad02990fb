namespace OrleansExport;

/// <summary>At most one full run per ActiveCampaign account at a time (key: hostname); the rest wait in order.</summary>
public interface IAccountRunQueueGrain : IGrainWithStringKey
{
    /// <summary>True when the run may start now; otherwise it waits for its turn.</summary>
    Task<bool> EnqueueAsync(string exportId, string runId);

    /// <summary>The run ended (or was cancelled while waiting); returns the run whose turn it is now, if any.</summary>
    Task<QueuedRun?> FinishAsync(string exportId, string runId);

    /// <summary>The export was deleted; returns the run whose turn it is now, if any.</summary>
    Task<QueuedRun?> RemoveExportAsync(string exportId);

    /// <summary>0 while it runs (or when unknown), n when it is n-th in line.</summary>
    Task<int> PositionAsync(string exportId, string runId);
}
