namespace OrleansExport;

/// <summary>What a person (or a user, or ActiveCampaign) did to a contact on an export's list, as a webhook tells it.</summary>
public enum ListSignal : byte
{
    Subscribed,
    Unsubscribed,
    Bounced,
}

public enum ReconciliationStatus
{
    Running,
    Succeeded,
    Failed,
}

/// <summary>
/// One reconciliation of an export with its list (docs/api.md): contacts read from the list, members the export had
/// subscribed that were missing (and sent again), contacts found opted out, and strangers (on the list, never sent by the export).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ReconciliationView(
    [property: Id(0)] string ReconciliationId,
    [property: Id(1)] ReconciliationStatus Status,
    [property: Id(2)] DateTimeOffset StartedAt,
    [property: Id(3)] DateTimeOffset? FinishedAt,
    [property: Id(4)] long Read,
    [property: Id(5)] long Missing,
    [property: Id(6)] long OptedOut,
    [property: Id(7)] long Strangers,
    [property: Id(8)] long Resent,
    [property: Id(9)] string? Error = null);

/// <summary>What one export shard made of a page of listed contacts: which of them it holds, and who it learned opted out.</summary>
/// <param name="Matched">For each listed email, in order: whether the shard holds a profile with it.</param>
[GenerateSerializer, Immutable]
public sealed record ReconcileChunkResult(
    [property: Id(0)] bool[] Matched,
    [property: Id(1)] int OptedOut);

/// <summary>What one export shard found missing from the list once every status was read.</summary>
/// <param name="Complete">False when the shard lost track of what it saw (it was reactivated meanwhile): nothing was resent.</param>
[GenerateSerializer, Immutable]
public sealed record ReconcileEndResult(
    [property: Id(0)] int Missing,
    [property: Id(1)] int Resent,
    [property: Id(2)] bool Complete);
