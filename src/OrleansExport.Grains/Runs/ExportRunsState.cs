namespace OrleansExport.Grains.Runs;

[GenerateSerializer]
public sealed class ExportRunsState
{
    /// <summary>Newest last, at most <see cref="ExportRunsGrain.HistoryLength"/>.</summary>
    [Id(0)] public List<RunView> Runs { get; set; } = [];

    /// <summary>Cron expression (UTC) of scheduled runs, or null.</summary>
    [Id(1)] public string? Schedule { get; set; }

    /// <summary>Up to when the schedule has been looked at: occurrences before it are done.</summary>
    [Id(2)] public DateTimeOffset? ScheduleCheckedUpTo { get; set; }

    /// <summary>The account whose run queue holds this export's current run.</summary>
    [Id(3)] public string? Hostname { get; set; }
}
