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

    /// <summary>400 naming invalid contacts by index (all-or-nothing: nothing was queued): a verdict on those contacts.</summary>
    public sealed record Invalid(IReadOnlyList<ContactFailure> Failures) : BulkImportResult;

    /// <summary>
    /// 400 that names no contact and is not the rate-limit answer: nothing was queued, and it is a verdict on none of
    /// the contacts (one of them may be at fault, or none).
    /// </summary>
    public sealed record Refused(string Reason) : BulkImportResult;
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

/// <summary>A list of the account (<c>GET /api/3/lists</c>).</summary>
public sealed record AccountList(string Id, string Name);

/// <summary>A custom contact field of the account (<c>GET /api/3/fields</c>).</summary>
public sealed record AccountField(string Id, string Title, string Type);

/// <summary>A tag of the account (<c>GET /api/3/tags</c>).</summary>
public sealed record AccountTag(string Id, string Tag);

/// <summary>
/// The account refused the key: 401/403, or its HTML login page where JSON was expected (what an expired or revoked
/// key has been seen to get), confirmed by <c>users/me</c>. Only a new key helps.
/// </summary>
public sealed class ActiveCampaignAuthException(string hostname)
    : Exception($"ActiveCampaign account {hostname} refused the API key: enter a new one from Settings > Developer in ActiveCampaign.")
{
    public string Hostname { get; } = hostname;
}

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

/// <summary>
/// The account kept answering that it is over a rate limit in a way the pacer cannot see coming: the 400
/// <c>"Rate limit exceeded."</c> that the bulk-import reference documents for its per-minute limit. Retried like a 429;
/// thrown once the retries are spent. A throttle, never a verdict on the contacts.
/// </summary>
public sealed class ActiveCampaignThrottledException(string hostname, string endpoint, string message)
    : ActiveCampaignException($"ActiveCampaign account {hostname} answered {endpoint} that it is over a rate limit: {message}", 400);

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
    /// <summary>GET /api/3/users/me. Throws <see cref="ActiveCampaignAuthException"/> on 401/403 or a login page.</summary>
    Task VerifyApiKeyAsync(ActiveCampaignAccount account, CancellationToken cancellationToken);

    /// <summary>Every list of the account (all pages of GET /api/3/lists).</summary>
    Task<IReadOnlyList<AccountList>> GetListsAsync(ActiveCampaignAccount account, CancellationToken cancellationToken);

    /// <summary>Every custom contact field of the account (all pages of GET /api/3/fields).</summary>
    Task<IReadOnlyList<AccountField>> GetFieldsAsync(ActiveCampaignAccount account, CancellationToken cancellationToken);

    /// <summary>
    /// Every tag whose name contains <paramref name="search"/> (all pages of GET /api/3/tags?search=), or every tag when
    /// it is null. A contains-match: callers compare names themselves.
    /// </summary>
    Task<IReadOnlyList<AccountTag>> GetTagsAsync(ActiveCampaignAccount account, string? search, CancellationToken cancellationToken);

    /// <summary>POST /api/3/tags (a contact tag): the new tag's id, or null when a tag of that name exists ("Duplicate entry").</summary>
    Task<string?> CreateTagAsync(ActiveCampaignAccount account, string tag, CancellationToken cancellationToken);

    /// <summary>POST /api/3/contactTags: attaches a tag to a contact (attaching it twice changes nothing).</summary>
    Task AddContactTagAsync(ActiveCampaignAccount account, string contactId, string tagId, CancellationToken cancellationToken);

    /// <summary>GET /api/3/lists/{id}: false on 404.</summary>
    Task<bool> ListExistsAsync(ActiveCampaignAccount account, string listId, CancellationToken cancellationToken);

    Task<BulkImportResult> BulkImportAsync(ActiveCampaignAccount account, IReadOnlyList<BulkContact> contacts, CancellationToken cancellationToken, bool excludeAutomations = false);

    Task<ImportInfo> GetImportInfoAsync(ActiveCampaignAccount account, string batchId, CancellationToken cancellationToken);

    Task<SyncResult> SyncContactAsync(ActiveCampaignAccount account, SyncContact contact, CancellationToken cancellationToken);

    /// <summary>POST /api/3/contactLists; status 1 = subscribed, 2 = unsubscribed.</summary>
    Task SetListStatusAsync(ActiveCampaignAccount account, string listId, string contactId, int status, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the contact with this email: looks its id up (GET /api/3/contacts?email=), then DELETE /api/3/contacts/{id}.
    /// False when the account has no such contact (never had it, or it is deleted already). Two single requests, paced
    /// like any other; neither the email nor the key appears in an exception.
    /// </summary>
    Task<bool> DeleteContactAsync(ActiveCampaignAccount account, string email, CancellationToken cancellationToken);

    /// <summary>
    /// The id of the contact with this email (GET /api/3/contacts?email=, any case), or null when the account has none.
    /// Neither the email nor the key appears in an exception.
    /// </summary>
    Task<string?> FindContactIdAsync(ActiveCampaignAccount account, string email, CancellationToken cancellationToken);

    /// <summary>
    /// The contact's status on <paramref name="listId"/> and who set it (GET /api/3/contacts/{id}/contactLists). An answer
    /// not of the documented shape (no <c>contactLists</c> array, a status that is not 0-3) throws: it is no verdict.
    /// </summary>
    Task<ListStatusLookup> GetListStatusAsync(ActiveCampaignAccount account, string contactId, string listId, CancellationToken cancellationToken);

    /// <summary>
    /// One page of up to <see cref="ListContactsPage.PageSize"/> contacts of a list with <paramref name="status"/> there (any
    /// status when null), from <paramref name="offset"/> (GET /api/3/contacts?listid=&amp;status=&amp;limit=100&amp;offset=).
    /// A page without its <c>contacts</c> array, <c>meta.total</c>, or a contact's id or email throws.
    /// </summary>
    /// <param name="updatedAfter">When given, only contacts updated after it (<c>updated_after=</c>, an ISO 8601 date-time in UTC).</param>
    Task<ListContactsPage> GetListContactsPageAsync(ActiveCampaignAccount account, string listId, ContactListStatus? status, int offset, CancellationToken cancellationToken,
        DateTimeOffset? updatedAfter = null);

    /// <summary>POST /api/3/webhooks: registers a webhook and returns its id. The URL never appears in an exception.</summary>
    Task<string> CreateWebhookAsync(ActiveCampaignAccount account, WebhookRegistration webhook, CancellationToken cancellationToken);

    /// <summary>DELETE /api/3/webhooks/{id}: false when the account has no such webhook (404).</summary>
    Task<bool> DeleteWebhookAsync(ActiveCampaignAccount account, string webhookId, CancellationToken cancellationToken);

    /// <summary>GET /api/3/webhooks, every page: the account's webhooks with their URLs (which carry receivers' secrets: never log them).</summary>
    Task<IReadOnlyList<AccountWebhook>> GetWebhooksAsync(ActiveCampaignAccount account, CancellationToken cancellationToken);
}
