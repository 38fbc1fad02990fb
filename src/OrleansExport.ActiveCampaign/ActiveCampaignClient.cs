using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Timeout;

namespace OrleansExport.ActiveCampaign;

/// <summary>
/// <see cref="IActiveCampaignClient"/> over the named <see cref="HttpClient"/> <see cref="HttpClientName"/>.
/// Each attempt passes the account's circuit breaker, takes a permit from <see cref="IRequestPacer"/>,
/// then sends; the key goes only into that request's <c>Api-Token</c> header, never into a log line,
/// exception or metric.
/// </summary>
public sealed partial class ActiveCampaignClient(
    IHttpClientFactory httpClientFactory,
    IRequestPacer pacer,
    ResiliencePipelineRegistry<string> pipelines,
    IOptions<ActiveCampaignOptions> options,
    TimeProvider timeProvider,
    ILogger<ActiveCampaignClient> logger) : IActiveCampaignClient
{
    /// <summary>Name of the <see cref="HttpClient"/> registered by <c>AddActiveCampaignClient</c>.</summary>
    public const string HttpClientName = "OrleansExport.ActiveCampaign";

    private const string ApiTokenHeader = "Api-Token";
    private const int MaxDetailLength = 300;

    /// <summary>Items per page of a paged collection: ActiveCampaign's maximum.</summary>
    private const int PageSize = 100;

    /// <summary>Bounds a collection that never ends (a total that keeps growing): far beyond any real account's lists, fields or tags.</summary>
    private const int MaxCollectionItems = 100_000;

    /// <summary>Login pages from <c>users/me</c> in a row that make a key refused: one can be a passing fault, three are not.</summary>
    private const int LoginPageConfirmations = 3;
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly ResiliencePipeline<HttpResponseMessage> retry = pipelines.GetPipeline<HttpResponseMessage>(ActiveCampaignResilience.RetryPipelineKey);
    private readonly ResiliencePipeline attemptTimeout = pipelines.GetPipeline(ActiveCampaignResilience.AttemptTimeoutPipelineKey);

    /// <inheritdoc />
    public async Task VerifyApiKeyAsync(ActiveCampaignAccount account, CancellationToken cancellationToken)
    {
        if (await ShowsLoginPageAsync(account, cancellationToken).ConfigureAwait(false))
        {
            throw new ActiveCampaignAuthException(HostnameRules.Normalize(account.Hostname));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AccountList>> GetListsAsync(ActiveCampaignAccount account, CancellationToken cancellationToken) =>
        GetEveryPageAsync(account, "lists", "api/3/lists?", ApiResponseJson.ReadList, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<AccountField>> GetFieldsAsync(ActiveCampaignAccount account, CancellationToken cancellationToken) =>
        GetEveryPageAsync(account, "fields", "api/3/fields?", ApiResponseJson.ReadField, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<AccountTag>> GetTagsAsync(ActiveCampaignAccount account, string? search, CancellationToken cancellationToken) =>
        GetEveryPageAsync(account, "tags",
            string.IsNullOrEmpty(search) ? "api/3/tags?" : $"api/3/tags?search={Uri.EscapeDataString(search)}&",
            ApiResponseJson.ReadTag, cancellationToken);

    /// <inheritdoc />
    public async Task<string?> CreateTagAsync(ActiveCampaignAccount account, string tag, CancellationToken cancellationToken)
    {
        var call = ApiCall.Post("tags", "api/3/tags", ContactApiJson.Tag(tag));
        using var response = await SendAsync(account, call, cancellationToken).ConfigureAwait(false);
        var json = await ApiResponseJson.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode && ApiResponseJson.ReadCreatedTagId(json) is { } id)
        {
            return id;
        }

        return (int)response.StatusCode is >= 400 and < 500 && ApiResponseJson.IsDuplicateEntry(json)
            ? null
            : throw Unexpected(account, call, response, json);
    }

    /// <inheritdoc />
    public async Task AddContactTagAsync(ActiveCampaignAccount account, string contactId, string tagId, CancellationToken cancellationToken)
    {
        var call = ApiCall.Post("contactTags", "api/3/contactTags", ContactApiJson.ContactTag(contactId, tagId));
        using var response = await SendAsync(account, call, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await UnexpectedAsync(account, call, response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<bool> ListExistsAsync(ActiveCampaignAccount account, string listId, CancellationToken cancellationToken)
    {
        var call = ApiCall.Get("lists", $"api/3/lists/{Uri.EscapeDataString(listId)}");
        using var response = await SendAsync(account, call, cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            _ when response.IsSuccessStatusCode => true,
            HttpStatusCode.NotFound => false,
            _ => throw await UnexpectedAsync(account, call, response, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <inheritdoc />
    public async Task<BulkImportResult> BulkImportAsync(ActiveCampaignAccount account, IReadOnlyList<BulkContact> contacts, CancellationToken cancellationToken, bool excludeAutomations = false)
    {
        var limits = options.Value.Limits;
        if (contacts.Count == 0 || contacts.Count > limits.MaxContactsPerImport)
        {
            throw new ArgumentException($"A bulk import takes 1 to {limits.MaxContactsPerImport} contacts, not {contacts.Count}; pack them with {nameof(ImportPacker)}.", nameof(contacts));
        }

        var body = BulkImportSerializer.Serialize(contacts, excludeAutomations);
        if (body.Length > limits.MaxImportBytes)
        {
            throw new ArgumentException($"The bulk import body has {body.Length} bytes, over the {limits.MaxImportBytes}-byte limit; pack the contacts with {nameof(ImportPacker)}.", nameof(contacts));
        }

        var kind = contacts.Count == 1 ? RequestKind.BulkImportSingle : RequestKind.BulkImportMulti;
        var call = ApiCall.Post("import/bulk_import", "api/3/import/bulk_import", body, kind);
        using var response = await SendAsync(account, call, cancellationToken).ConfigureAwait(false);
        var json = await ApiResponseJson.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode && ApiResponseJson.ReadQueued(json) is { } queued)
        {
            return queued;
        }

        if (response.StatusCode == HttpStatusCode.BadRequest && json is not null)
        {
            var failures = ApiResponseJson.ReadContactFailures(json);
            return failures.Count > 0 ? new BulkImportResult.Invalid(failures) : new BulkImportResult.Refused(Redacted(account, ApiResponseJson.ReadBulkImportRefusal(json)));
        }

        throw Unexpected(account, call, response, json);
    }

    /// <inheritdoc />
    public async Task<ImportInfo> GetImportInfoAsync(ActiveCampaignAccount account, string batchId, CancellationToken cancellationToken)
    {
        var call = ApiCall.Get("import/info", $"api/3/import/info?batchId={Uri.EscapeDataString(batchId)}");
        using var response = await SendAsync(account, call, cancellationToken).ConfigureAwait(false);
        var json = await ApiResponseJson.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode ? ApiResponseJson.ReadImportInfo(json) : throw Unexpected(account, call, response, json);
    }

    /// <inheritdoc />
    public async Task<SyncResult> SyncContactAsync(ActiveCampaignAccount account, SyncContact contact, CancellationToken cancellationToken)
    {
        var call = ApiCall.Post("contact/sync", "api/3/contact/sync", ContactApiJson.ContactSync(contact));
        using var response = await SendAsync(account, call, cancellationToken).ConfigureAwait(false);
        var json = await ApiResponseJson.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode && ApiResponseJson.ReadContactId(json) is { } contactId)
        {
            return new SyncResult(contactId, null);
        }

        return response.StatusCode == HttpStatusCode.UnprocessableEntity
            ? new SyncResult(null, ApiResponseJson.ReadErrors(json) ?? "ActiveCampaign refused the contact (422).")
            : throw Unexpected(account, call, response, json);
    }

    /// <inheritdoc />
    public async Task SetListStatusAsync(ActiveCampaignAccount account, string listId, string contactId, int status, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 2);
        var call = ApiCall.Post("contactLists", "api/3/contactLists", ContactApiJson.ContactList(listId, contactId, status));
        using var response = await SendAsync(account, call, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await UnexpectedAsync(account, call, response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteContactAsync(ActiveCampaignAccount account, string email, CancellationToken cancellationToken)
    {
        if (await FindContactIdAsync(account, email, cancellationToken).ConfigureAwait(false) is not { } contactId)
        {
            return false;
        }

        var delete = ApiCall.Delete("contacts", $"api/3/contacts/{Uri.EscapeDataString(contactId)}");
        using var deleted = await SendAsync(account, delete, cancellationToken).ConfigureAwait(false);
        return deleted.StatusCode switch
        {
            _ when deleted.IsSuccessStatusCode => true,
            HttpStatusCode.NotFound => false,
            _ => throw await UnexpectedAsync(account, delete, deleted, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>
    /// Runs <paramref name="call"/> through pacing and retries; throws on a refused key or when the host cannot be reached.
    /// A login page where JSON was expected is a refused key only if <c>users/me</c> confirms it; else it was a passing
    /// fault, and the call fails to be retried later.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(ActiveCampaignAccount account, ApiCall call, CancellationToken cancellationToken)
    {
        var response = await SendOnceAsync(account, call, cancellationToken).ConfigureAwait(false);
        if (!IsLoginPage(response))
        {
            return response;
        }

        response.Dispose();
        var hostname = HostnameRules.Normalize(account.Hostname);
        LogLoginPage(hostname, call.Endpoint);
        if (await ShowsLoginPageAsync(account, cancellationToken).ConfigureAwait(false))
        {
            throw new ActiveCampaignAuthException(hostname);
        }

        throw new ActiveCampaignException(
            $"ActiveCampaign account {hostname} answered {call.Endpoint} with an HTML page instead of JSON, though it still accepts the API key; the request is sent again later.");
    }

    /// <summary>
    /// Asks <c>users/me</c> until it answers JSON: true when it answered the login page <see cref="LoginPageConfirmations"/>
    /// times in a row (a revoked key gets nothing else); throws <see cref="ActiveCampaignAuthException"/> on 401/403.
    /// </summary>
    private async Task<bool> ShowsLoginPageAsync(ActiveCampaignAccount account, CancellationToken cancellationToken)
    {
        var call = ApiCall.Get("users/me", "api/3/users/me");
        for (var attempt = 0; attempt < LoginPageConfirmations; attempt++)
        {
            using var response = await SendOnceAsync(account, call, cancellationToken).ConfigureAwait(false);
            if (IsLoginPage(response))
            {
                continue;
            }

            var json = await ApiResponseJson.ReadAsync(response, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode && json is { ValueKind: System.Text.Json.JsonValueKind.Object }
                ? false
                : throw Unexpected(account, call, response, json);
        }

        return true;
    }

    /// <summary>
    /// Every page of a paged collection, <see cref="PageSize"/> items at a time, up to <c>meta.total</c> (or, without it, a
    /// short page); an empty page ends it either way.
    /// </summary>
    private async Task<IReadOnlyList<T>> GetEveryPageAsync<T>(
        ActiveCampaignAccount account, string collection, string relativeUriWithQuery, Func<System.Text.Json.JsonElement, T?> readItem, CancellationToken cancellationToken)
        where T : class
    {
        var all = new List<T>();
        for (var offset = 0; ; offset += PageSize)
        {
            var call = ApiCall.Get(collection, $"{relativeUriWithQuery}limit={PageSize}&offset={offset}");
            using var response = await SendAsync(account, call, cancellationToken).ConfigureAwait(false);
            var json = await ApiResponseJson.ReadAsync(response, cancellationToken).ConfigureAwait(false);
            var (items, total) = response.IsSuccessStatusCode ? ApiResponseJson.ReadPage(json, collection, readItem) : (null, null);
            if (items is null)
            {
                throw Unexpected(account, call, response, json);
            }

            all.AddRange(items);
            var done = items.Count == 0 || (total is { } known ? offset + PageSize >= known : items.Count < PageSize);
            if (done || all.Count >= MaxCollectionItems)
            {
                return all;
            }
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(ActiveCampaignAccount account, ApiCall call, CancellationToken cancellationToken)
    {
        var hostname = HostnameRules.Normalize(account.Hostname);
        EnsureSendable(account, hostname);
        var httpClient = httpClientFactory.CreateClient(HttpClientName);
        var circuit = CircuitFor(hostname);
        HttpResponseMessage response;
        try
        {
            response = await retry.ExecuteAsync(
                token => circuit.ExecuteAsync(
                async token =>
                {
                    var asked = timeProvider.GetTimestamp();
                    await pacer.AcquireAsync(hostname, call.Kind, token).ConfigureAwait(false);
                    var permitted = timeProvider.GetTimestamp();
                    ActiveCampaignMetrics.RecordPermitWait(call.Endpoint, timeProvider.GetElapsedTime(asked, permitted));
                    HttpResponseMessage attempt;
                    try
                    {
                        using var request = call.CreateRequest(account);
                        attempt = await attemptTimeout.ExecuteAsync(
                            async attemptToken => await httpClient.SendAsync(request, attemptToken).ConfigureAwait(false),
                            token).ConfigureAwait(false);
                    }
                    finally
                    {
                        pacer.Completed(hostname, call.Kind);
                        ActiveCampaignMetrics.RecordAnswerTime(call.Endpoint, timeProvider.GetElapsedTime(permitted));
                    }

                    ActiveCampaignMetrics.RecordRequest(call.Endpoint, (int)attempt.StatusCode);
                    if (attempt.StatusCode == HttpStatusCode.TooManyRequests)
                    {
                        await ReportThrottledAsync(hostname, call, attempt, token).ConfigureAwait(false);
                    }
                    else if (call.Kind != RequestKind.Other && attempt.StatusCode == HttpStatusCode.BadRequest)
                    {
                        await ThrowIfRateLimitAnswerAsync(account, hostname, call, attempt, token).ConfigureAwait(false);
                    }

                    return attempt;
                },
                token),
                cancellationToken).ConfigureAwait(false);
        }
        catch (BrokenCircuitException exception)
        {
            ActiveCampaignMetrics.RecordCircuitOpen(call.Endpoint);
            throw new ActiveCampaignCircuitOpenException(hostname, exception.RetryAfter ?? options.Value.CircuitBreaker.BreakDuration);
        }
        catch (HttpRequestException exception) when (exception.InnerException is HostAddressRefusedException refused)
        {
            throw new ActiveCampaignHostRefusedException(refused.Message);
        }
        catch (Exception exception) when (exception is HttpRequestException or TimeoutRejectedException)
        {
            throw new ActiveCampaignException($"ActiveCampaign account {hostname} could not be reached for {call.Endpoint}: {exception.Message}");
        }

        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            response.Dispose();
            throw new ActiveCampaignAuthException(hostname);
        }

        return response;
    }

    /// <summary>The documented 400 of the bulk-import limit is a throttle: retried (by the retry pipeline) like a 429.</summary>
    private async Task ThrowIfRateLimitAnswerAsync(ActiveCampaignAccount account, string hostname, ApiCall call, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var json = await ApiResponseJson.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        if (!ApiResponseJson.IsRateLimitAnswer(json))
        {
            return;
        }

        response.Dispose();
        ActiveCampaignMetrics.RecordThrottled(call.Endpoint);
        LogRateLimitAnswer(hostname, call.Endpoint);
        throw new ActiveCampaignThrottledException(hostname, call.Endpoint, Redacted(account, ApiResponseJson.ReadBulkImportRefusal(json)));
    }

    // Only a 2xx can pass for a success; an HTML error page on a 4xx or 5xx is an error like any other.
    private static bool IsLoginPage(HttpResponseMessage response) =>
        response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType is "text/html" or "application/xhtml+xml";

    private ResiliencePipeline<HttpResponseMessage> CircuitFor(string hostname) =>
        pipelines.GetOrAddPipeline<HttpResponseMessage>(
            ActiveCampaignResilience.CircuitPipelineKeyPrefix + hostname,
            builder => builder.AddActiveCampaignCircuitBreaker(options.Value.CircuitBreaker));

    private async Task ReportThrottledAsync(string hostname, ApiCall call, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // Without a Retry-After, wait out the shortest window.
        var retryAfter = RetryAfter.Parse(response, timeProvider) ?? TimeSpan.FromSeconds(1);
        ActiveCampaignMetrics.RecordThrottled(call.Endpoint);
        LogThrottled(hostname, call.Endpoint, retryAfter);
        await pacer.ReportThrottledAsync(hostname, retryAfter, cancellationToken).ConfigureAwait(false);
    }

    // Defence in depth: a stored connection is validated on save, but the key must never reach
    // a host that the configuration in force does not allow, nor break a header (whose errors quote the value).
    private void EnsureSendable(ActiveCampaignAccount account, string hostname)
    {
        if (HostnameRules.Validate(hostname, options.Value) is { } problem)
        {
            throw new ActiveCampaignException($"ActiveCampaign host name {hostname} is not allowed: {problem}");
        }

        if (account.ApiKey.Length == 0 || account.ApiKey.Any(c => c is <= ' ' or >= (char)127))
        {
            throw new ActiveCampaignException($"The API key of ActiveCampaign account {hostname} is empty or contains characters that cannot be sent in a header.");
        }
    }

    private async Task<ActiveCampaignException> UnexpectedAsync(ActiveCampaignAccount account, ApiCall call, HttpResponseMessage response, CancellationToken cancellationToken) =>
        Unexpected(account, call, response, await ApiResponseJson.ReadAsync(response, cancellationToken).ConfigureAwait(false));

    private static ActiveCampaignException Unexpected(ActiveCampaignAccount account, ApiCall call, HttpResponseMessage response, System.Text.Json.JsonElement? json)
    {
        var status = (int)response.StatusCode;
        var detail = ApiResponseJson.ReadMessage(json) is { } message ? ": " + Redacted(account, message) : ".";
        return new ActiveCampaignException(
            $"ActiveCampaign account {HostnameRules.Normalize(account.Hostname)} answered {status} {response.ReasonPhrase} to {call.Endpoint}{detail}",
            status);
    }

    /// <summary>Text from ActiveCampaign, short enough for a log line and without the key, should an answer echo it.</summary>
    private static string Redacted(ActiveCampaignAccount account, string text) => Truncate(text.Replace(account.ApiKey, "****", StringComparison.Ordinal));

    private static string Truncate(string text) => text.Length <= MaxDetailLength ? text : text[..MaxDetailLength] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "ActiveCampaign account {Hostname} throttled {Endpoint} (429); pausing it for {RetryAfter}")]
    private partial void LogThrottled(string hostname, string endpoint, TimeSpan retryAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ActiveCampaign account {Hostname} answered {Endpoint} with its 400 \"Rate limit exceeded\"; retrying")]
    private partial void LogRateLimitAnswer(string hostname, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ActiveCampaign account {Hostname} answered {Endpoint} with an HTML page instead of JSON; checking the API key with users/me")]
    private partial void LogLoginPage(string hostname, string endpoint);

    /// <summary>One API request, recreated for every attempt (a request message cannot be sent twice).</summary>
    private sealed record ApiCall(HttpMethod Method, string Endpoint, string RelativeUri, byte[]? Body, RequestKind Kind)
    {
        public static ApiCall Get(string endpoint, string relativeUri) => new(HttpMethod.Get, endpoint, relativeUri, null, RequestKind.Other);

        public static ApiCall Delete(string endpoint, string relativeUri) => new(HttpMethod.Delete, endpoint, relativeUri, null, RequestKind.Other);

        public static ApiCall Post(string endpoint, string relativeUri, byte[] body, RequestKind kind = RequestKind.Other) =>
            new(HttpMethod.Post, endpoint, relativeUri, body, kind);

        public HttpRequestMessage CreateRequest(ActiveCampaignAccount account)
        {
            var request = new HttpRequestMessage(Method, new Uri(account.BaseAddress, RelativeUri));
            request.Headers.Add(ApiTokenHeader, account.ApiKey);
            if (Body is not null)
            {
                request.Content = new ByteArrayContent(Body) { Headers = { ContentType = JsonContentType } };
            }

            return request;
        }
    }
}
