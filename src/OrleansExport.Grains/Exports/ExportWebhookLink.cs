using Microsoft.Extensions.Logging;

namespace OrleansExport.Grains.Exports;

/// <summary>
/// The export's ActiveCampaign webhook on its list (when the service has a public URL): registered before its first
/// run ends and after a list change, removed with the export. A failure only delays learning of opt-outs: the status
/// read before a re-subscribe stays, so it is logged and not thrown.
/// </summary>
public sealed partial class ExportWebhookLink(IGrainFactory grains, string exportId, Func<ExportState> exportState, ILogger logger)
{
    private readonly ILogger _logger = logger;

    private IExportWebhookGrain Webhook => grains.GetGrain<IExportWebhookGrain>(exportId);

    public async Task RegisterAsync()
    {
        try
        {
            var definition = exportState().Definition!;
            await Webhook.EnsureRegisteredAsync(definition.ConnectionId, definition.ListId);
        }
        catch (Exception exception)
        {
            LogWebhookFailed(exportId, "register", exception.GetType().Name, exception.Message);
        }
    }

    public async Task RemoveAsync(string connectionId)
    {
        try
        {
            await Webhook.RemoveAsync(await grains.GetGrain<IConnectionGrain>(connectionId).GetCredentialsAsync());
        }
        catch (Exception exception)
        {
            LogWebhookFailed(exportId, "remove", exception.GetType().Name, exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId}: could not {Action} its ActiveCampaign webhook: {Error}: {Message}")]
    private partial void LogWebhookFailed(string exportId, string action, string error, string message);
}
