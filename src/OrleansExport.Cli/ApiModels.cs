namespace OrleansExport.Cli;

// The answers of the HTTP API (docs/api.md section 2), as far as the CLI shows them. Statuses stay strings,
// so that a newer server's values print as they are.

public sealed record ConnectionView(
    string Id, string DisplayName, string Hostname, string ApiKeyHint, bool AllowContributors, long? ProfileCap,
    IReadOnlyList<string> ExportUsers, DateTimeOffset CreatedAt);

public sealed record ExportView(
    string Id, string DisplayName, string ConnectionId, string ListId, IReadOnlyList<string> SegmentIds, MappingView Mapping, string OnLeave,
    string? Schedule, long EventsReceived, long Members, long Pending, long InSync, long Rejected, long SkippedByCap, string? Paused,
    bool AwaitingFirstRun, RunView? LastRun, long OptedOut = 0);

public sealed record MappingView(string Email, string? FirstName, string? LastName, string? Phone, IReadOnlyList<FieldMappingView> Fields, IReadOnlyList<string> Tags);

public sealed record FieldMappingView(string Attribute, int FieldId);

public sealed record SegmentView(string SegmentId, long Members, DateTimeOffset? LastEventAt, IReadOnlyList<string> ExportIds);

public sealed record RunView(
    string RunId, string Status, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, long Total, long Sent, long Unsubscribed,
    long Failed, long SkippedByCap, double Progress, string? Trigger, string? Error, DateTimeOffset? Eta = null)
{
    public bool IsFinished => Status is not ("queued" or "running");
}

public sealed record RunStarted(string RunId, string Status, long Total);

public sealed record MemberStoryView(
    string ProfileId, string? Email, string State, IReadOnlyList<string> Segments, string? ContactId, DateTimeOffset? LastChangeAt,
    DateTimeOffset? LastSentAt, string? Reason);

public sealed record RejectionView(string ProfileId, string? Email, string Reason, DateTimeOffset At);

public sealed record IngestResult(int Accepted, IReadOnlyList<IngestRejection> Rejected);

public sealed record IngestRejection(int Index, string Reason);

public sealed record ReconciliationStarted(string ReconciliationId);

public sealed record ReconciliationView(
    string ReconciliationId, string Status, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, long Read, long Missing, long OptedOut,
    long Strangers, long Resent, string? Error = null);
