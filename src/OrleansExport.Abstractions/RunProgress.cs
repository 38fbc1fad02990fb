namespace OrleansExport;

[GenerateSerializer, Immutable]
public sealed record RunProgress(
    [property: Id(0)] bool Known,
    [property: Id(1)] bool Done,
    [property: Id(2)] long Total,
    [property: Id(3)] long Remaining,
    [property: Id(4)] long Sent,
    [property: Id(5)] long Unsubscribed,
    [property: Id(6)] long Failed,
    [property: Id(7)] long SkippedByCap,
    [property: Id(8)] string? Error,
    [property: Id(9)] long Held = 0);
