namespace OrleansExport.Grains.Exports;

[GenerateSerializer]
public sealed class ExportState
{
    [Id(0)] public ExportDefinition? Definition { get; set; }

    /// <summary>Fixed at creation: changing it would move profiles between shards.</summary>
    [Id(1)] public int ShardCount { get; set; }

    /// <summary>Why delivery stopped for good, as a sentence (e.g. the connection was deleted); null while active.</summary>
    [Id(2)] public string? StoppedReason { get; set; }

    /// <summary>New-member slots handed to shards so far (the per-export cap bounds it).</summary>
    [Id(3)] public long CapacityLeased { get; set; }

    [Id(4)] public long EventsReceived { get; set; }

    [Id(5)] public RunCounters? Run { get; set; }

    /// <summary>Set once the first run starts: before it, the export sends nothing.</summary>
    [Id(6)] public bool FirstRunStarted { get; set; }

    /// <summary>Who paused the export and when, as a sentence; null while it may send.</summary>
    [Id(7)] public string? PausedBy { get; set; }

    /// <summary>Who changed the definition, when and how; oldest first, at most <see cref="ExportGrain.HistoryLength"/>.</summary>
    [Id(8)] public List<DefinitionChange> History { get; set; } = [];

    /// <summary>Segments that hold this export as a subscriber (and backfilled it): the rest are subscribed on activation.</summary>
    [Id(9)] public List<string> SubscribedSegments { get; set; } = [];

    /// <summary>Unsubscribes the mass-unsubscribe guard holds; null when none are.</summary>
    [Id(10)] public HeldUnsubscribes? UnsubscribesHeld { get; set; }

    /// <summary>A person released held unsubscribes; the guard watches again once fewer than its threshold are pending.</summary>
    [Id(11)] public bool UnsubscribesReleased { get; set; }
}

