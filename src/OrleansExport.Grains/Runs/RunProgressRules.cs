using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Alerts;

namespace OrleansExport.Grains.Runs;

/// <summary>What a run's record says after a look at the export's progress: counters, share done, estimated end, final status.</summary>
public static class RunProgressRules
{
    /// <summary>The run with the counters of <paramref name="progress"/>, its share done and its estimated end.</summary>
    public static RunView Observed(RunView run, RunProgress progress, ActiveCampaignLimits limits, DateTimeOffset now) => run with
    {
        Total = progress.Total,
        Sent = progress.Sent,
        Unsubscribed = progress.Unsubscribed,
        Failed = progress.Failed,
        SkippedByCap = progress.SkippedByCap,
        Progress = progress.Total == 0 ? 1 : Math.Clamp((double)(progress.Total - progress.Remaining) / progress.Total, 0, 1),
        Error = progress.Error,
        Eta = EstimateEnd(progress.Remaining, limits, now),
    };

    /// <summary>
    /// How a finished run ended. Unsubscribes the mass-unsubscribe guard holds wait for a person: the run ends without
    /// them (its error says so), partly succeeded.
    /// </summary>
    public static RunStatus Outcome(RunProgress progress) =>
        progress.Failed == 0 && progress.Held == 0 ? RunStatus.Succeeded
        : progress.Failed == 0 || progress.Sent + progress.Unsubscribed > 0 ? RunStatus.PartiallySucceeded
        : RunStatus.Failed;

    /// <summary>The run has the account to itself (one run per account), so its budget sets the pace: one import per <see cref="ActiveCampaignLimits.MaxContactsPerImport"/> contacts.</summary>
    public static DateTimeOffset EstimateEnd(long remainingContacts, ActiveCampaignLimits limits, DateTimeOffset now)
    {
        var imports = Math.Ceiling(remainingContacts / (double)limits.MaxContactsPerImport);
        return now + TimeSpan.FromMinutes(imports / (limits.BulkImportsPerMinute * limits.TimeScale));
    }

    /// <summary>The alert of a run that failed or partly succeeded: its error, or how many contacts were rejected.</summary>
    public static ExportAlert Alert(RunView run, string exportId, string exportName, DateTimeOffset at) => new(
        exportId,
        exportName,
        run.Status == RunStatus.Failed ? AlertEvents.RunFailed : AlertEvents.RunPartiallySucceeded,
        run.RunId,
        run.Error ?? $"{run.Failed} of {run.Total} contacts were rejected; see the export's rejections.",
        at);
}
