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
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly ResiliencePipeline<HttpResponseMessage> retry = pipelines.GetPipeline<HttpResponseMessage>(ActiveCampaignResilience.RetryPipelineKey);
    private readonly ResiliencePipeline attemptTimeout = pipelines.GetPipeline(ActiveCampaignResilience.AttemptTimeoutPipelineKey);

    /// <inheritdoc />
    public async Task VerifyApiKeyAsync(ActiveCampaignAccount account, CancellationToken cancellationToken)
    {
        var call = ApiCall.Get("users/me", "api/3/users/me");
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
    public async Task<BulkImportResult> BulkImportAsync(ActiveCampaignAccount account, IReadOnlyList<BulkContact> contacts, CancellationToken cancellationToken)
    {
        var limits = options.Value.Limits;
        if (contacts.Count == 0 || contacts.Count > limits.MaxContactsPerImport)
        {
            throw new ArgumentException($"A bulk import takes 1 to {limits.MaxContactsPerImport} contacts, not {contacts.Count}; pack them with {nameof(ImportPacker)}.", nameof(contacts));
        }

        var body = BulkImportSerializer.Serialize(contacts);
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

        if (response.StatusCode == HttpStatusCode.BadRequest && ApiResponseJson.ReadFailureReasons(json) is { } failures)
        {
            return new BulkImportResult.Invalid(failures);
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

    /// <summary>Runs <paramref name="call"/> through pacing and retries; throws on a refused key or when the host cannot be reached.</summary>
    private async Task<HttpResponseMessage> SendAsync(ActiveCampaignAccount account, ApiCall call, CancellationToken cancellationToken)
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
                    await pacer.AcquireAsync(hostname, call.Kind, token).ConfigureAwait(false);
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
                    }

                    ActiveCampaignMetrics.RecordRequest(call.Endpoint, (int)attempt.StatusCode);
                    if (attempt.StatusCode == HttpStatusCode.TooManyRequests)
                    {
                        await ReportThrottledAsync(hostname, call, attempt, token).ConfigureAwait(false);
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
        var detail = ApiResponseJson.ReadMessage(json) is { } message
            ? ": " + Truncate(message.Replace(account.ApiKey, "****", StringComparison.Ordinal))
            : ".";
        return new ActiveCampaignException(
            $"ActiveCampaign account {HostnameRules.Normalize(account.Hostname)} answered {status} {response.ReasonPhrase} to {call.Endpoint}{detail}",
            status);
    }

    private static string Truncate(string text) => text.Length <= MaxDetailLength ? text : text[..MaxDetailLength] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "ActiveCampaign account {Hostname} throttled {Endpoint} (429); pausing it for {RetryAfter}")]
    private partial void LogThrottled(string hostname, string endpoint, TimeSpan retryAfter);

    /// <summary>One API request, recreated for every attempt (a request message cannot be sent twice).</summary>
    private sealed record ApiCall(HttpMethod Method, string Endpoint, string RelativeUri, byte[]? Body, RequestKind Kind)
    {
        public static ApiCall Get(string endpoint, string relativeUri) => new(HttpMethod.Get, endpoint, relativeUri, null, RequestKind.Other);

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
