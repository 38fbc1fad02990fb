namespace OrleansExport.Grains.Runs;

[GenerateSerializer]
public sealed class ExportRunsState
{
    public const int HistoryLength = 50;

    /// <summary>Newest last, at most <see cref="HistoryLength"/>.</summary>
    [Id(0)] public List<RunView> Runs { get; set; } = [];

    /// <summary>Cron expression (UTC) of scheduled runs, or null.</summary>
    [Id(1)] public string? Schedule { get; set; }

    /// <summary>Up to when the schedule has been looked at: occurrences before it are done.</summary>
    [Id(2)] public DateTimeOffset? ScheduleCheckedUpTo { get; set; }

    /// <summary>The account whose run queue holds this export's current run.</summary>
    [Id(3)] public string? Hostname { get; set; }

    /// <summary>
    /// A look at the schedule up to <paramref name="now"/>: <paramref name="due"/> is its latest occurrence since the last
    /// look (<see cref="CronSchedule.LatestDue"/>), or null. False, with nothing changed, when there is no valid schedule.
    /// </summary>
    public bool TryLookAtSchedule(DateTimeOffset now, out DateTimeOffset? due)
    {
        due = null;
        if (Schedule is null || !CronSchedule.TryParse(Schedule, out var cron, out _))
        {
            return false;
        }

        due = CronSchedule.LatestDue(cron!, ScheduleCheckedUpTo ?? now, now);
        ScheduleCheckedUpTo = now;
        return true;
    }

    /// <summary>The queued or running run, if any (at most one).</summary>
    public RunView? CurrentRun() => Runs.LastOrDefault(r => r.Status is RunStatus.Queued or RunStatus.Running);

    /// <summary>Replaces the run of the same id, or adds it as the newest and drops the oldest beyond <see cref="HistoryLength"/>.</summary>
    public void Save(RunView run)
    {
        var index = Runs.FindIndex(r => r.RunId == run.RunId);
        if (index >= 0)
        {
            Runs[index] = run;
            return;
        }

        Runs.Add(run);
        if (Runs.Count > HistoryLength)
        {
            Runs.RemoveRange(0, Runs.Count - HistoryLength);
        }
    }
}
