namespace OrleansExport;

/// <summary>
/// What the mass-unsubscribe guard weighs, for one shard or a whole export: unsubscribes and deletes waiting to be sent
/// (erasures not counted: they are never held) against the contacts the export has subscribed in the list.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record UnsubscribeFigures(
    [property: Id(0)] long PendingUnsubscribes,
    [property: Id(1)] long Subscribed)
{
    public static readonly UnsubscribeFigures Zero = new(0, 0);

    public UnsubscribeFigures Add(UnsubscribeFigures other) => new(PendingUnsubscribes + other.PendingUnsubscribes, Subscribed + other.Subscribed);
}

/// <summary>Unsubscribes the guard holds (GET /api/exports/{id}: <c>held</c>): how many, why, and since when.</summary>
[GenerateSerializer, Immutable]
public sealed record HeldUnsubscribes(
    [property: Id(0)] long Count,
    [property: Id(1)] string Reason,
    [property: Id(2)] DateTimeOffset Since);

/// <summary>One contact of a <see cref="SendPreview"/>: its profile, address and what would be done to it.</summary>
[GenerateSerializer, Immutable]
public sealed record PreviewExample(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] string? Email,
    [property: Id(2)] string Action);

/// <summary>What an export would send now (or in a full run), counted by action; nothing is sent to find out.</summary>
[GenerateSerializer, Immutable]
public sealed record SendPreview(
    [property: Id(0)] long Subscribe,
    [property: Id(1)] long Update,
    [property: Id(2)] long Resubscribe,
    [property: Id(3)] long Unsubscribe,
    [property: Id(4)] long Delete,
    [property: Id(5)] long Held,
    [property: Id(6)] IReadOnlyList<PreviewExample> Examples)
{
    public const int MaxExamples = 20;

    public static readonly SendPreview Empty = new(0, 0, 0, 0, 0, 0, []);

    public SendPreview Add(SendPreview other) => new(Subscribe + other.Subscribe, Update + other.Update, Resubscribe + other.Resubscribe,
        Unsubscribe + other.Unsubscribe, Delete + other.Delete, Held + other.Held, [.. Examples.Concat(other.Examples).Take(MaxExamples)]);
}

/// <summary>Where one contact of an export stands (GET /api/exports/{id}/members/...).</summary>
public enum MemberState
{
    Pending,
    InSync,
    Rejected,
    SkippedByCap,
    Unsubscribed,
    Left,
    Erased,

    /// <summary>Unsubscribed or bounced by the person (or by someone other than OrleansExport): never subscribed again.</summary>
    OptedOut,
}

/// <summary>One contact's story in an export: its state and why, its segments, and when it last changed.</summary>
/// <param name="ContactId">
/// The ActiveCampaign contact id, once the export has seen it: from a contact API answer (small batches, re-subscribes) or a
/// reconciliation's read of the list; null while unknown (a bulk import's answer does not say which id is whose).
/// </param>
/// <param name="LastSentAt">When ActiveCampaign last accepted a change of the contact (as the export recorded it); null while never.</param>
[GenerateSerializer, Immutable]
public sealed record MemberStory(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] string? Email,
    [property: Id(2)] MemberState State,
    [property: Id(3)] IReadOnlyList<string> Segments,
    [property: Id(4)] string? ContactId,
    [property: Id(5)] DateTimeOffset? LastChangeAt,
    [property: Id(6)] DateTimeOffset? LastSentAt,
    [property: Id(7)] string? Reason);
