namespace OrleansExport.Grains.Exports;

/// <summary>What the current (or last) full run has done so far.</summary>
[GenerateSerializer]
public sealed class RunCounters
{
    [Id(0)] public required string RunId { get; set; }
    [Id(1)] public long Total { get; set; }
    [Id(2)] public long Sent { get; set; }
    [Id(3)] public long Unsubscribed { get; set; }
    [Id(4)] public long Failed { get; set; }
    [Id(5)] public long SkippedByCap { get; set; }
    [Id(6)] public bool Active { get; set; }

    /// <summary>Unsubscribes of the run the mass-unsubscribe guard held when the rest was done: they go out once released.</summary>
    [Id(7)] public long Held { get; set; }
}
