namespace OrleansExport;

public enum SegmentEventType
{
    Joined,
    Left,
    Updated,
    SnapshotStarted,
    SnapshotCompleted,
    /// <summary>Right to erasure: the profile leaves every segment and its data is forgotten everywhere.</summary>
    Erased,
}

/// <summary>A segment-membership change, as upstream sends it (docs/api.md section 1).</summary>
[GenerateSerializer, Immutable]
public sealed record SegmentEvent(
    [property: Id(0)] string EventId,
    [property: Id(1)] string SegmentId,
    [property: Id(2)] string ProfileId,
    [property: Id(3)] SegmentEventType Type,
    [property: Id(4)] DateTimeOffset OccurredAt,
    [property: Id(5)] IReadOnlyDictionary<string, string>? Attributes,
    [property: Id(6)] string? SnapshotId = null);
