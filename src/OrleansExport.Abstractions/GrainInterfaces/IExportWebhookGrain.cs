namespace OrleansExport;

/// <summary>
/// An export's ActiveCampaign webhook (key: the export id): registered on its list when the service has a public URL
/// (<c>ActiveCampaign:WebhookBaseUrl</c>), moved with the list, removed with the export; what it posts is applied here.
/// </summary>
public interface IExportWebhookGrain : IGrainWithStringKey
{
    /// <summary>Registers the webhook on <paramref name="listId"/> unless it is there already (removing one on another list).</summary>
    Task EnsureRegisteredAsync(string connectionId, string listId);

    /// <summary>
    /// Removes the webhook from ActiveCampaign with <paramref name="credentials"/> (the connection's; given by the caller,
    /// so that a connection being deleted can remove its exports' webhooks) and forgets its secret. With no credentials
    /// the webhook is only forgotten here.
    /// </summary>
    Task RemoveAsync(ProtectedCredentials? credentials);

    /// <summary>
    /// Applies what a delivery to the address with the secret whose SHA-256 is <paramref name="secretKey"/> said about the
    /// contact with <paramref name="email"/> on <paramref name="listId"/>; false when the address is not the webhook's now
    /// (an old one, after a move or a removal), or it was about another list than the webhook's or the export's now.
    /// </summary>
    Task<bool> ReceiveAsync(string secretKey, string listId, string email, ListSignal signal);

    /// <summary>Whether a webhook is registered now, and on which list.</summary>
    Task<string?> GetRegisteredListAsync();
}
