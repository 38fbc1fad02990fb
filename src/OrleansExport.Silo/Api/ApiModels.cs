namespace OrleansExport.Silo.Api;

public sealed record CreateConnectionBody(
    string? DisplayName,
    string? Hostname,
    string? ApiKey,
    bool AllowContributors,
    bool DataPrivacyConsent,
    long? ProfileCap);

/// <summary>
/// PATCH /api/connections/{id}. <see cref="Hostname"/> is read only to refuse it; <see cref="ProfileCap"/> is raw JSON
/// so that <c>null</c> (no cap) differs from leaving it out (no change).
/// </summary>
public sealed record UpdateConnectionBody(
    string? DisplayName,
    string? Hostname,
    string? ApiKey,
    bool? AllowContributors,
    System.Text.Json.JsonElement ProfileCap);

public sealed record FieldMappingBody(string? Attribute, int FieldId);

public sealed record MappingBody(string? Email, string? FirstName, string? LastName, string? Phone, List<FieldMappingBody>? Fields, List<string>? Tags);

public sealed record CreateExportBody(
    string? DisplayName,
    string? ConnectionId,
    string? ListId,
    List<string>? SegmentIds,
    MappingBody? Mapping,
    LeaveAction? OnLeave,
    string? Schedule,
    bool ExcludeAutomations = false,
    EraseAction? OnErase = null,
    string? AlertWebhook = null)
{
    /// <summary>Raw JSON, so that null (the guard off) differs from leaving it out (the default, 20).</summary>
    public System.Text.Json.JsonElement MaxUnsubscribePercent { get; init; }
}

/// <summary>
/// PATCH /api/exports/{id}: members left out stay as they are. <see cref="Schedule"/> and <see cref="AlertWebhook"/> tell
/// "null" (none) from "not given", and so does <see cref="MaxUnsubscribePercent"/> (raw JSON, read by
/// <see cref="GuardrailsApi.ReadMaxUnsubscribePercent"/>); <see cref="Unknown"/> collects fields that cannot change, to say so.
/// </summary>
public sealed record UpdateExportBody(
    string? DisplayName,
    string? ListId,
    List<string>? SegmentIds,
    MappingBody? Mapping,
    LeaveAction? OnLeave,
    Optional<string?> Schedule,
    bool? ExcludeAutomations,
    Optional<string?> AlertWebhook,
    EraseAction? OnErase = null)
{
    public System.Text.Json.JsonElement MaxUnsubscribePercent { get; init; }

    [System.Text.Json.Serialization.JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Unknown { get; init; }
}

/// <summary>A JSON member that may be absent, null or a value.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(OptionalConverterFactory))]
public readonly record struct Optional<T>(bool HasValue, T Value);

/// <summary>An export's definition with its live status (docs/api.md section 2.4: GET /api/exports/{id}).</summary>
public sealed record ExportResponse(
    string Id,
    string DisplayName,
    string ConnectionId,
    string ListId,
    IReadOnlyList<string> SegmentIds,
    ContactMapping Mapping,
    LeaveAction OnLeave,
    EraseAction OnErase,
    string? Schedule,
    bool ExcludeAutomations,
    string? AlertWebhook,
    int? MaxUnsubscribePercent,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    long EventsReceived,
    long Members,
    long Pending,
    long InSync,
    long Rejected,
    long SkippedByCap,
    long Erased,
    long OptedOut,
    HeldUnsubscribes? Held,
    string? Paused,
    bool AwaitingFirstRun,
    RunView? LastRun,
    IReadOnlyList<DefinitionChange> History,
    bool WebhookRegistered)
{
    /// <param name="webhookRegistered">Whether the export's ActiveCampaign webhook is registered on its list now (docs/api.md section 2.14).</param>
    public static ExportResponse From(ExportStatus status, RunView? lastRun, bool webhookRegistered = false)
    {
        var (d, c) = (status.Definition, status.Counters);
        return new ExportResponse(d.Id, d.DisplayName, d.ConnectionId, d.ListId, d.SegmentIds, d.Mapping, d.OnLeave, d.OnErase, d.Schedule, d.ExcludeAutomations, d.AlertWebhook,
            d.MaxUnsubscribePercent, d.CreatedBy, d.CreatedAt, c.EventsReceived, c.Members, c.Pending, c.InSync, c.Rejected, c.SkippedByCap, c.Erased,
            c.OptedOut, status.Held, status.Paused, status.AwaitingFirstRun, lastRun, status.History, webhookRegistered);
    }
}

public sealed record RunStarted(string RunId, RunStatus Status, long Total);

public sealed record IngestRejection(int Index, string Reason);

/// <summary>
/// The answer of <c>POST /api/events</c>. <see cref="Rejected"/> lists the first
/// <see cref="EventsApi.MaxListedRejections"/> rejections; <see cref="RejectedCount"/> counts them all.
/// <see cref="DeadLettered"/>: events recorded as dead letters (see <c>GET /api/deadletters</c>).
/// </summary>
public sealed record IngestResult(int Accepted, IReadOnlyList<IngestRejection> Rejected, int RejectedCount, long DeadLettered);
