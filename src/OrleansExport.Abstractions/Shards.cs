namespace OrleansExport;

/// <summary>What a shard needs to know about its export.</summary>
/// <param name="ConnectionId">The connection whose grain grants new-member slots; null in configurations stored before shards leased from it.</param>
/// <param name="MaxProfilesPerExport">The export's own cap, which the connection enforces with its profileCap; null in configurations stored before.</param>
[GenerateSerializer, Immutable]
public sealed record ShardConfig(
    [property: Id(0)] IReadOnlyList<string> SegmentIds,
    [property: Id(1)] ContactMapping Mapping,
    [property: Id(2)] LeaveAction OnLeave,
    [property: Id(3)] EraseAction OnErase = EraseAction.Unsubscribe,
    [property: Id(4)] string? ConnectionId = null,
    [property: Id(5)] long? MaxProfilesPerExport = null);

/// <summary>The mapped ActiveCampaign data of one member.</summary>
[GenerateSerializer, Immutable]
public sealed record ContactData(
    [property: Id(0)] string Email,
    [property: Id(1)] string? FirstName,
    [property: Id(2)] string? LastName,
    [property: Id(3)] string? Phone,
    [property: Id(4)] string?[] FieldValues);

public enum ContactAction : byte
{
    /// <summary>Add or update the contact and subscribe it to the list (bulk import can do this).</summary>
    Upsert,
    /// <summary>The contact unsubscribed through us before: only contactLists status 1 can bring it back.</summary>
    Resubscribe,
    /// <summary>The profile left: set the list status to unsubscribed.</summary>
    Unsubscribe,
    /// <summary>The profile was erased and the export says onErase=delete: delete the contact from the account.</summary>
    Delete,
}

/// <summary>One contact leased out of a shard for sending.</summary>
[GenerateSerializer, Immutable]
public sealed record OutgoingContact(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] ContactAction Action,
    [property: Id(2)] ContactData Data,
    [property: Id(3)] ulong Hash,
    [property: Id(4)] bool AlreadySubscribed,
    [property: Id(5)] bool InRun,
    [property: Id(6)] int ImportFailures = 0);

public enum OutcomeKind : byte
{
    Accepted,
    Failed,
    /// <summary>Not sent after all (e.g. did not fit a batch): goes back to pending.</summary>
    Returned,
    /// <summary>
    /// ActiveCampaign accepted the import but import/info listed the contact as failed, without a reason: the
    /// cause may pass, so it goes back to pending and is sent again (a final failure comes as <see cref="Failed"/>).
    /// </summary>
    FailedInImport,
    /// <summary>
    /// Sent, but whether ActiveCampaign applied it is unknown (bulk import answered with a batchId that import/info never
    /// confirmed, or the batch failed after this contact went out): goes back to pending, and the contact may exist.
    /// </summary>
    Unconfirmed,
    /// <summary>
    /// Not sent: ActiveCampaign has the contact unsubscribed or bounced on the list by someone other than OrleansExport,
    /// read right before a call that would have subscribed it. The member is opted out.
    /// </summary>
    OptedOut,
}

/// <param name="ContactId">The contact's ActiveCampaign id when the answer named it (the contact API does; a bulk import does not).</param>
[GenerateSerializer, Immutable]
public sealed record ContactOutcome(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] ContactAction Action,
    [property: Id(2)] ulong Hash,
    [property: Id(3)] OutcomeKind Kind,
    [property: Id(4)] string? Reason,
    [property: Id(5)] RejectionKind RejectionKind = RejectionKind.Other,
    [property: Id(6)] string? ContactId = null);

/// <summary>One shard's rejections by kind: counted since it began, kept now, and the newest kept of each kind.</summary>
[GenerateSerializer, Immutable]
public sealed record ShardRejections(
    [property: Id(0)] IReadOnlyDictionary<RejectionKind, long> Counts,
    [property: Id(1)] IReadOnlyDictionary<RejectionKind, int> Kept,
    [property: Id(2)] IReadOnlyList<Rejection> Latest);

[GenerateSerializer, Immutable]
public sealed record ShardCounters(
    [property: Id(0)] long Members,
    [property: Id(1)] long Pending,
    [property: Id(2)] long InSync,
    [property: Id(3)] long Rejected,
    [property: Id(4)] long SkippedByCap,
    [property: Id(5)] long RunRemaining,
    [property: Id(6)] DateTimeOffset? OldestPendingSince,
    [property: Id(7)] long StateBytes = 0,
    [property: Id(8)] long EventsReceived = 0,
    [property: Id(9)] long Erased = 0,
    [property: Id(10)] long RunHeld = 0,
    [property: Id(11)] long OptedOut = 0);

[GenerateSerializer, Immutable]
public sealed record ShardApplyResult(
    [property: Id(0)] int Applied,
    [property: Id(1)] int Duplicates,
    [property: Id(2)] int Stale,
    [property: Id(3)] int Rejected,
    [property: Id(4)] int Pending);

/// <summary>
/// What a shard did with a set of outcomes: contacts still pending, and the profiles a running
/// full run is now done with, by how they ended (a contact already in flight when the run began
/// counts for the run too: it carries the current data).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ShardCompletion(
    [property: Id(0)] int Pending,
    [property: Id(1)] int RunSent,
    [property: Id(2)] int RunUnsubscribed,
    [property: Id(3)] int RunFailed);
