using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Connections;

namespace OrleansExport.Grains.Exports;

/// <summary>
/// Whether a definition may be saved: <see cref="ExportDefinitionRules.Validate"/>, the alert webhook under the host rules
/// of connections, and (when asked) that the list exists in the connection's account.
/// </summary>
public sealed class ExportDefinitionCheck(
    IGrainFactory grains,
    ApiKeyProtector protector,
    IActiveCampaignClient client,
    ActiveCampaignOptions activeCampaignOptions,
    ExportOptions options)
{
    /// <returns>null when the definition may be saved, else why not.</returns>
    public async Task<OperationError?> CheckAsync(ExportDefinition definition, bool verifyList)
    {
        if ((ExportDefinitionRules.Validate(definition, options.MinScheduleInterval) ?? ValidateWebhook(definition)) is { } invalid)
        {
            return invalid;
        }

        return verifyList ? await VerifyListAsync(definition.ConnectionId, definition.ListId) : null;
    }

    /// <summary>The webhook follows the host rules of connections (and AllowInsecureLoopback), which live with the ActiveCampaign options.</summary>
    private OperationError? ValidateWebhook(ExportDefinition definition) =>
        definition.AlertWebhook is { } webhook && WebhookUrlRules.Validate(webhook, activeCampaignOptions) is { } problem
            ? new(OperationErrorKind.Invalid, problem, "alertWebhook")
            : null;

    /// <returns>null when the list exists in the connection's account, else why not (for the listId field).</returns>
    private async Task<OperationError?> VerifyListAsync(string connectionId, string listId)
    {
        var credentials = await grains.GetGrain<IConnectionGrain>(connectionId).GetCredentialsAsync();
        if (credentials is null)
        {
            return new(OperationErrorKind.Unprocessable, $"Connection '{connectionId}' does not exist.", "connectionId");
        }

        var account = new ActiveCampaignAccount(credentials.Hostname, protector.Unprotect(credentials.ProtectedApiKey));
        try
        {
            return await client.ListExistsAsync(account, listId, CancellationToken.None)
                ? null
                : new(OperationErrorKind.Unprocessable, $"List '{listId}' does not exist in the ActiveCampaign account {credentials.Hostname}.", "listId");
        }
        catch (Exception exception) when (exception is ActiveCampaignException or ActiveCampaignAuthException or HttpRequestException)
        {
            return new(OperationErrorKind.Unprocessable, $"Could not verify list '{listId}' at {credentials.Hostname}: {exception.Message}", "listId");
        }
    }
}
