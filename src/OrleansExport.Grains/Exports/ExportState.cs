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

    // Id 3 held the new-member slots leased to shards before the connection counted them for both caps; never reuse it.

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

    /// <summary>
    /// A saved change of the definition not yet applied to every shard and segment: kept until it is, and rolled
    /// forward on activation, on the next change and on the keep-alive reminder.
    /// </summary>
    [Id(11)] public PendingChange? PendingChange { get; set; }

    /// <summary>Someone asked to delete the export and the deletion is not finished yet (<see cref="ExportDeletion"/>).</summary>
    [Id(12)] public DeletionIntent? Deletion { get; set; }

    /// <summary>The export exists, was not stopped for good and is not being deleted.</summary>
    public bool IsActive => Definition is not null && StoppedReason is null && Deletion is null;

    /// <summary>Why the export will never deliver again, as a sentence; null while it may.</summary>
    public string? EndedReason => StoppedReason ?? Deletion?.Sentence;

    /// <summary>The generation of the journal of imports ActiveCampaign accepted (<see cref="Delivery.AcceptedImports"/>); null: the first.</summary>
    [Id(13)] public string? AcceptedImportsGeneration { get; set; }

    /// <summary>The last sequence number a delivery of that journal was given when its generation began (they go on from there).</summary>
    [Id(14)] public long DeliveriesSequence { get; set; }

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

/// <summary>Who asked to delete the export, and when.</summary>
[GenerateSerializer, Immutable]
public sealed record DeletionIntent([property: Id(0)] string User, [property: Id(1)] DateTimeOffset At)
{
    public string Sentence => $"Being deleted: {User} deleted it on {At:yyyy-MM-dd HH:mm} UTC; it sends nothing and is removed shortly.";
}

/// <summary>The definition before a change and what changed; the definition after is <see cref="ExportState.Definition"/>.</summary>
[GenerateSerializer]
public sealed record PendingChange([property: Id(0)] ExportDefinition Before, [property: Id(1)] List<string> Changed);

/// <param name="Held">Unsubscribes the guard holds; null when none are.</param>
/// <param name="Released">A person released held unsubscribes; the guard watches again once fewer than its threshold are pending.</param>
[GenerateSerializer, Immutable]
public sealed record UnsubscribeHoldState(
    [property: Id(0)] HeldUnsubscribes? Held,
    [property: Id(1)] bool Released);
