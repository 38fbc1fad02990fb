namespace OrleansExport.Grains.Exports;

[GenerateSerializer]
public sealed class ExportState
{
    /// <summary>How many changes of the definition <see cref="History"/> keeps.</summary>
    public const int HistoryLength = 100;

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

    /// <summary>Who changed the definition, when and how; oldest first, at most <see cref="HistoryLength"/>.</summary>
    [Id(8)] public List<DefinitionChange> History { get; set; } = [];

    /// <summary>Segments that hold this export as a subscriber (and backfilled it): the rest are subscribed on activation.</summary>
    [Id(9)] public List<string> SubscribedSegments { get; set; } = [];

    /// <summary>The mass-unsubscribe guard's hold or release; null while it holds nothing and no release drains.</summary>
    [Id(10)] public UnsubscribeHoldState? UnsubscribeHold { get; set; }

    /// <summary>The export exists and was not stopped for good.</summary>
    public bool IsActive => Definition is not null && StoppedReason is null;

    /// <summary>Sending is on: the first run has started and nobody paused the export.</summary>
    public bool IsSending => IsActive && FirstRunStarted && PausedBy is null;

    public void AddHistory(DateTimeOffset at, string user, DefinitionAction action, IReadOnlyList<string> fields)
    {
        var history = History;
        history.Add(new DefinitionChange(at, user, action, fields));
        if (history.Count > HistoryLength)
        {
            history.RemoveRange(0, history.Count - HistoryLength);
        }
    }
}

/// <param name="Held">Unsubscribes the guard holds; null when none are.</param>
/// <param name="Released">A person released held unsubscribes; the guard watches again once fewer than its threshold are pending.</param>
[GenerateSerializer, Immutable]
public sealed record UnsubscribeHoldState(
    [property: Id(0)] HeldUnsubscribes? Held,
    [property: Id(1)] bool Released);
