namespace OrleansExport;

[GenerateSerializer, Immutable]
public sealed record FieldMapping(
    [property: Id(0)] string Attribute,
    [property: Id(1)] int FieldId);

/// <summary>Which profile attributes feed which ActiveCampaign contact fields.</summary>
[GenerateSerializer, Immutable]
public sealed record ContactMapping(
    [property: Id(0)] string Email,
    [property: Id(1)] string? FirstName,
    [property: Id(2)] string? LastName,
    [property: Id(3)] string? Phone,
    [property: Id(4)] IReadOnlyList<FieldMapping> Fields,
    [property: Id(5)] IReadOnlyList<string> Tags);

public enum LeaveAction
{
    Unsubscribe,
    Keep,
}

/// <summary>What an erased profile's contact becomes in ActiveCampaign (right to erasure).</summary>
public enum EraseAction
{
    Unsubscribe,
    Delete,
}

[GenerateSerializer, Immutable]
public sealed record ExportDefinition(
    [property: Id(0)] string Id,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string ConnectionId,
    [property: Id(3)] string ListId,
    [property: Id(4)] IReadOnlyList<string> SegmentIds,
    [property: Id(5)] ContactMapping Mapping,
    [property: Id(6)] LeaveAction OnLeave,
    [property: Id(7)] string? Schedule,
    [property: Id(8)] string CreatedBy,
    [property: Id(9)] DateTimeOffset CreatedAt,
    [property: Id(10)] bool ExcludeAutomations = false,
    [property: Id(11)] EraseAction OnErase = EraseAction.Unsubscribe,
    [property: Id(12)] string? AlertWebhook = null,
    [property: Id(13)] bool UnsubscribeGuardOff = false,
    [property: Id(14)] int UnsubscribeGuardPercent = 0)
{
    public const int DefaultMaxUnsubscribePercent = 20;

    /// <summary>
    /// The mass-unsubscribe guard's percent, or null when it is off. Stored as "off" plus a percent where 0 means the
    /// default, so that exports saved before the guard existed read as guarded at the default.
    /// </summary>
    public int? MaxUnsubscribePercent => UnsubscribeGuardOff ? null : UnsubscribeGuardPercent == 0 ? DefaultMaxUnsubscribePercent : UnsubscribeGuardPercent;

    public ExportDefinition WithMaxUnsubscribePercent(int? percent) =>
        this with { UnsubscribeGuardOff = percent is null, UnsubscribeGuardPercent = percent ?? 0 };
}

/// <summary>
/// Live counters of an export (docs/api.md section 2.4: GET /api/exports/{id}); <see cref="StateBytes"/>, the memory
/// its shards' member tables hold, is for operators and load tests and is not part of the HTTP answer.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ExportCounters(
    [property: Id(0)] long EventsReceived,
    [property: Id(1)] long Members,
    [property: Id(2)] long Pending,
    [property: Id(3)] long InSync,
    [property: Id(4)] long Rejected,
    [property: Id(5)] long SkippedByCap,
    [property: Id(6)] long StateBytes = 0,
    [property: Id(7)] long Erased = 0,
    [property: Id(8)] long OptedOut = 0)
{
    public static readonly ExportCounters Zero = new(0, 0, 0, 0, 0, 0);

    public ExportCounters Add(ExportCounters other) => new(
        EventsReceived + other.EventsReceived, Members + other.Members, Pending + other.Pending,
        InSync + other.InSync, Rejected + other.Rejected, SkippedByCap + other.SkippedByCap, StateBytes + other.StateBytes,
        Erased + other.Erased, OptedOut + other.OptedOut);
}

/// <summary>An export's definition and live state.</summary>
/// <param name="Paused">Null while the export sends; else a sentence a person can act on (who paused it, or why it paused itself).</param>
/// <param name="Stopped">Why the export stopped for good (its connection was deleted); null while it can run.</param>
/// <param name="AwaitingFirstRun">True until the export's first run starts: until then it sends nothing.</param>
/// <param name="PausedByUser">Paused through the API (not by itself): it starts no run until resumed.</param>
/// <param name="Held">Unsubscribes the mass-unsubscribe guard holds; null when none are held.</param>
[GenerateSerializer, Immutable]
public sealed record ExportStatus(
    [property: Id(0)] ExportDefinition Definition,
    [property: Id(1)] ExportCounters Counters,
    [property: Id(2)] string? Paused,
    [property: Id(3)] string? Stopped,
    [property: Id(4)] bool AwaitingFirstRun,
    [property: Id(5)] IReadOnlyList<DefinitionChange> History,
    [property: Id(6)] bool PausedByUser,
    [property: Id(7)] HeldUnsubscribes? Held = null);

public enum DefinitionAction
{
    Created,
    Updated,
    Paused,
    Resumed,
}

/// <summary>One entry of an export's history: who did what to its definition, and when.</summary>
/// <param name="Fields">For <see cref="DefinitionAction.Updated"/>: the names (as in the API) of the fields that changed.</param>
[GenerateSerializer, Immutable]
public sealed record DefinitionChange(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string By,
    [property: Id(2)] DefinitionAction Action,
    [property: Id(3)] IReadOnlyList<string> Fields);

/// <summary>A change to an export's definition (PATCH): null members stay as they are.</summary>
/// <param name="ChangeSchedule">True when <see cref="Schedule"/> is to be set, even to null (no schedule).</param>
/// <param name="ChangeAlertWebhook">True when <see cref="AlertWebhook"/> is to be set, even to null (no alerts).</param>
/// <param name="ChangeMaxUnsubscribePercent">True when <see cref="MaxUnsubscribePercent"/> is to be set, even to null (guard off).</param>
[GenerateSerializer, Immutable]
public sealed record ExportPatch(
    [property: Id(0)] string? DisplayName = null,
    [property: Id(1)] string? ListId = null,
    [property: Id(2)] IReadOnlyList<string>? SegmentIds = null,
    [property: Id(3)] ContactMapping? Mapping = null,
    [property: Id(4)] LeaveAction? OnLeave = null,
    [property: Id(5)] bool ChangeSchedule = false,
    [property: Id(6)] string? Schedule = null,
    [property: Id(7)] bool? ExcludeAutomations = null,
    [property: Id(8)] EraseAction? OnErase = null,
    [property: Id(9)] bool ChangeAlertWebhook = false,
    [property: Id(10)] string? AlertWebhook = null,
    [property: Id(11)] bool ChangeMaxUnsubscribePercent = false,
    [property: Id(12)] int? MaxUnsubscribePercent = null);

/// <summary>
/// What kind of rejection a <see cref="Rejection"/> is: a stable code to group and filter by, since the reason text
/// may carry personal data (the email address it refused).
/// </summary>
public enum RejectionKind
{
    /// <summary>Recorded before rejections carried a kind.</summary>
    Other,
    MissingEmail,
    InvalidEmail,
    OverCap,
    RefusedByActiveCampaign,
    FailedInImport,
    TooLarge,
}

/// <param name="Kind">What kind of rejection it is; <see cref="Reason"/> says it for a person.</param>
[GenerateSerializer, Immutable]
public sealed record Rejection(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] string? Email,
    [property: Id(2)] string Reason,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] RejectionKind Kind = RejectionKind.Other);

/// <summary>One kind of rejection of an export: how many were recorded, how many are kept, and the newest kept.</summary>
[GenerateSerializer, Immutable]
public sealed record RejectionKindSummary(
    [property: Id(0)] RejectionKind Kind,
    [property: Id(1)] long Count,
    [property: Id(2)] int Kept,
    [property: Id(3)] IReadOnlyList<Rejection> Latest);

/// <summary>An export's rejections by kind, most frequent first.</summary>
/// <param name="Kept">Rejections the export keeps (the newest per shard), which the list and the CSV download show.</param>
[GenerateSerializer, Immutable]
public sealed record RejectionSummary(
    [property: Id(0)] long Total,
    [property: Id(1)] int Kept,
    [property: Id(2)] IReadOnlyList<RejectionKindSummary> Kinds);

public enum RunStatus
{
    Queued,
    Running,
    Succeeded,
    PartiallySucceeded,
    Failed,
    Cancelled,
}

[GenerateSerializer, Immutable]
public sealed record RunView(
    [property: Id(0)] string RunId,
    [property: Id(1)] RunStatus Status,
    [property: Id(2)] DateTimeOffset? StartedAt,
    [property: Id(3)] DateTimeOffset? FinishedAt,
    [property: Id(4)] long Total,
    [property: Id(5)] long Sent,
    [property: Id(6)] long Unsubscribed,
    [property: Id(7)] long Failed,
    [property: Id(8)] long SkippedByCap,
    [property: Id(9)] double Progress,
    [property: Id(10)] string Trigger,
    [property: Id(11)] string? Error,
    [property: Id(12)] DateTimeOffset? Eta = null);
