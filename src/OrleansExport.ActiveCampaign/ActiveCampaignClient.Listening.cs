using System.Globalization;
using System.Net;
using System.Text.Json;

namespace OrleansExport.ActiveCampaign;

/// <summary>
/// The calls that listen to what people did to the account: contact look-ups, list statuses, a list's contacts by status,
/// webhooks. Each is one request through the same pacing, circuit and retries as every other.
/// </summary>
public sealed partial class ActiveCampaignClient
{
    /// <inheritdoc />
    public async Task<string?> FindContactIdAsync(ActiveCampaignAccount account, string email, CancellationToken cancellationToken)
    {
        var lookup = ApiCall.Get("contacts", $"api/3/contacts?email={Uri.EscapeDataString(email)}");
        using var response = await SendAsync(account, lookup, cancellationToken).ConfigureAwait(false);
        var json = await ApiResponseJson.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || ApiResponseJson.ReadListedContacts(json, needTotal: false) is not { } found)
        {
            // Not Unexpected(): its detail quotes the answer, which may echo the email.
            throw new ActiveCampaignException(
                $"ActiveCampaign account {HostnameRules.Normalize(account.Hostname)} answered {(int)response.StatusCode} {response.ReasonPhrase} to a contact lookup by email, not a list of contacts.",
                (int)response.StatusCode);
        }

        return found.Contacts.Count > 0 ? found.Contacts[0].Id : null;
    }

    /// <inheritdoc />
    public async Task<ListStatusLookup> GetListStatusAsync(ActiveCampaignAccount account, string contactId, string listId, CancellationToken cancellationToken)
    {
        var call = ApiCall.Get("contacts/contactLists", $"api/3/contacts/{Uri.EscapeDataString(contactId)}/contactLists");
        using var response = await SendAsync(account, call, cancellationToken).ConfigureAwait(false);
        var json = await ApiResponseJson.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound && json is { ValueKind: JsonValueKind.Object })
        {
            return new ListStatusLookup.NoSuchContact();
        }

        return response.IsSuccessStatusCode && ApiResponseJson.ReadListStatus(json, listId) is { } lookup
            ? lookup
            : throw Unexpected(account, call, response, json);
    }

    /// <inheritdoc />
    public async Task<ListContactsPage> GetListContactsPageAsync(
        ActiveCampaignAccount account, string listId, ContactListStatus? status, int offset, CancellationToken cancellationToken, DateTimeOffset? updatedAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var statusCode = status is { } given ? ((int)given).ToString(CultureInfo.InvariantCulture) : "-1";
        var since = updatedAfter is { } after
            // In UTC with a Z: a "+" offset would read as a space in a query string.
            ? "&updated_after=" + Uri.EscapeDataString(after.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))
            : "";
        var call = ApiCall.Get("contacts",
            $"api/3/contacts?listid={Uri.EscapeDataString(listId)}&status={statusCode}&limit={ListContactsPage.PageSize}&offset={offset.ToString(CultureInfo.InvariantCulture)}{since}");
        using var response = await SendAsync(account, call, cancellationToken).ConfigureAwait(false);
        var json = await ApiResponseJson.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || ApiResponseJson.ReadListedContacts(json) is not { } page)
        {
            // Not Unexpected(): a broken page may quote contacts' emails.
            throw new ActiveCampaignException(
                $"ActiveCampaign account {HostnameRules.Normalize(account.Hostname)} answered {(int)response.StatusCode} {response.ReasonPhrase} to a page of list {listId}'s contacts, not a page of contacts with meta.total.",
                (int)response.StatusCode);
        }

        return new ListContactsPage(page.Contacts, page.Total, offset);
    }

    /// <inheritdoc />
    public async Task<string> CreateWebhookAsync(ActiveCampaignAccount account, WebhookRegistration webhook, CancellationToken cancellationToken)
    {
        var call = ApiCall.Post("webhooks", "api/3/webhooks", ContactApiJson.Webhook(webhook));
        using var response = await SendAsync(account, call, cancellationToken).ConfigureAwait(false);
        var json = await ApiResponseJson.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode && ApiResponseJson.ReadWebhookId(json) is { Length: > 0 } id)
        {
            return id;
        }

        // The answer may echo the URL, and the URL carries the receiver's secret.
        var detail = ApiResponseJson.ReadErrors(json) is { } errors ? ": " + Redacted(account, errors.Replace(webhook.Url, "****", StringComparison.Ordinal)) : ".";
        throw new ActiveCampaignException(
            $"ActiveCampaign account {HostnameRules.Normalize(account.Hostname)} answered {(int)response.StatusCode} {response.ReasonPhrase} to {call.Endpoint}, not a created webhook{detail}",
            (int)response.StatusCode);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AccountWebhook>> GetWebhooksAsync(ActiveCampaignAccount account, CancellationToken cancellationToken) =>
        GetEveryPageAsync(account, "webhooks", "api/3/webhooks?", ApiResponseJson.ReadWebhook, cancellationToken);

    /// <inheritdoc />
    public async Task<bool> DeleteWebhookAsync(ActiveCampaignAccount account, string webhookId, CancellationToken cancellationToken)
    {
        var call = ApiCall.Delete("webhooks", $"api/3/webhooks/{Uri.EscapeDataString(webhookId)}");
        using var response = await SendAsync(account, call, cancellationToken).ConfigureAwait(false);
        var json = await ApiResponseJson.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            _ when response.IsSuccessStatusCode => true,
            HttpStatusCode.NotFound when json is { ValueKind: JsonValueKind.Object } => false,
            _ => throw Unexpected(account, call, response, json),
        };
    }
}
