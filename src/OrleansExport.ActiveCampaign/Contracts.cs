namespace OrleansExport.ActiveCampaign;

/// <summary>The kind of request, which decides which rate budgets it consumes.</summary>
public enum RequestKind
{
    /// <summary>Any request other than a bulk import: counts against requests/s only.</summary>
    Other,
    /// <summary>A bulk import with several contacts: requests/s and multi-contact imports/min.</summary>
    BulkImportMulti,
    /// <summary>A bulk import with one contact: requests/s and single-contact imports/min.</summary>
    BulkImportSingle,
}

/// <summary>One contact of a bulk import, already mapped from profile attributes.</summary>
public sealed record BulkContact(
    string Email,
    string? FirstName,
    string? LastName,
    string? Phone,
    IReadOnlyList<FieldValue> Fields,
    IReadOnlyList<string> Tags,
    string? SubscribeListId,
    string? UnsubscribeListId);

public sealed record FieldValue(int FieldId, string Value);

/// <summary>Outcome of <c>POST /api/3/import/bulk_import</c>.</summary>
public abstract record BulkImportResult
{
    /// <summary>200: queued; the outcome per contact comes from import/info.</summary>
    public sealed record Queued(string BatchId, int QueuedContacts) : BulkImportResult;

    /// <summary>400 naming invalid contacts by index (all-or-nothing: nothing was queued).</summary>
    public sealed record Invalid(IReadOnlyList<ContactFailure> Failures) : BulkImportResult;
}

public sealed record ContactFailure(int Index, string Reason);

/// <summary>Outcome of <c>GET /api/3/import/info?batchId=</c>.</summary>
public sealed record ImportInfo(string Status, IReadOnlyList<string> SucceededContactIds, IReadOnlyList<string> FailedEmails)
{
    public bool IsCompleted => string.Equals(Status, "completed", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A single contact for <c>POST /api/3/contact/sync</c>.</summary>
public sealed record SyncContact(string Email, string? FirstName, string? LastName, string? Phone, IReadOnlyList<FieldValue> Fields);

/// <summary>Result of contact/sync: the contact id, or a validation error (422).</summary>
public sealed record SyncResult(string? ContactId, string? Error)
{
    public bool Succeeded => ContactId is not null;
}

/// <summary>The key was refused (403).</summary>
public sealed class ActiveCampaignAuthException(string hostname)
    : Exception($"ActiveCampaign account {hostname} refused the API key (403).");

/// <summary>A non-transient failure (after retries) that the caller should record, not retry blindly.</summary>
public class ActiveCampaignException(string message, int? statusCode = null) : Exception(message)
{
    public int? StatusCode { get; } = statusCode;
}

/// <summary>
/// The account's circuit is open: so many of its requests failed that none are sent for
/// <see cref="RetryAfter"/>. Callers pause work for that account instead of retrying.
/// </summary>
public sealed class ActiveCampaignCircuitOpenException(string hostname, TimeSpan retryAfter)
    : ActiveCampaignException($"ActiveCampaign account {hostname} is failing: after repeated errors its requests are paused for {retryAfter.TotalSeconds:0.#} s (circuit open).")
{
    public string Hostname { get; } = hostname;

    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>The account's host name resolves to an address that may not be contacted (private, loopback, link-local, ...).</summary>
public sealed class ActiveCampaignHostRefusedException(string message) : ActiveCampaignException(message);

/// <summary>
/// Hands out permission to send one request to an account. Implementations must block until
/// sending now would not exceed any of the account's limits in any sliding window.
/// </summary>
public interface IRequestPacer
{
    ValueTask AcquireAsync(string hostname, RequestKind kind, CancellationToken cancellationToken);

    /// <summary>ActiveCampaign answered 429 anyway: stop handing out permits for <paramref name="retryAfter"/>.</summary>
    ValueTask ReportThrottledAsync(string hostname, TimeSpan retryAfter, CancellationToken cancellationToken);

    /// <summary>The request sent with a permit from <see cref="AcquireAsync"/> was answered or failed.</summary>
    void Completed(string hostname, RequestKind kind)
    {
    }
}

/// <summary>
/// Typed ActiveCampaign API v3 client. Every call acquires a permit from <see cref="IRequestPacer"/>
/// per attempt and runs through a resilience pipeline that retries transient failures
/// (5xx, 429 honouring Retry-After, timeouts, dropped connections).
/// </summary>
public interface IActiveCampaignClient
{
    /// <summary>GET /api/3/users/me. Throws <see cref="ActiveCampaignAuthException"/> on 403.</summary>
    Task VerifyApiKeyAsync(ActiveCampaignAccount account, CancellationToken cancellationToken);

    /// <summary>GET /api/3/lists/{id}: false on 404.</summary>
    Task<bool> ListExistsAsync(ActiveCampaignAccount account, string listId, CancellationToken cancellationToken);

    Task<BulkImportResult> BulkImportAsync(ActiveCampaignAccount account, IReadOnlyList<BulkContact> contacts, CancellationToken cancellationToken);

    Task<ImportInfo> GetImportInfoAsync(ActiveCampaignAccount account, string batchId, CancellationToken cancellationToken);

    Task<SyncResult> SyncContactAsync(ActiveCampaignAccount account, SyncContact contact, CancellationToken cancellationToken);

    /// <summary>POST /api/3/contactLists; status 1 = subscribed, 2 = unsubscribed.</summary>
    Task SetListStatusAsync(ActiveCampaignAccount account, string listId, string contactId, int status, CancellationToken cancellationToken);
}
