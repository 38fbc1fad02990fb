using Microsoft.Extensions.Logging;
using OrleansExport.ActiveCampaign;

namespace OrleansExport.Grains.Delivery;

/// <summary>
/// Asks import/info about an accepted import until ActiveCampaign has applied it, or gives up after
/// <see cref="ExportOptions.ImportInfoTimeout"/> (its contacts are then <see cref="OutcomeKind.Unconfirmed"/>):
/// the answer is what the export journals (<see cref="CompletedImport"/>), the outcomes follow from it.
/// Used right after the import (<see cref="BatchSender"/>) and for imports a crashed activation left unconfirmed
/// (<see cref="ImportRecovery"/>). No Orleans here.
/// </summary>
public sealed partial class ImportConfirmation(IActiveCampaignClient client, ExportOptions options, ActiveCampaignLimits limits, TimeProvider time, ILogger logger)
{
    public int ImportFailureRetries => options.ImportFailureRetries;

    /// <param name="firstDelay">Before the first question; null: <see cref="ExportOptions.ImportInfoDelay"/>.</param>
    public async Task<CompletedImport> ConfirmAsync(ActiveCampaignAccount account, AcceptedImport import, CancellationToken cancellationToken, TimeSpan? firstDelay = null)
    {
        var delay = Scaled(options.ImportInfoDelay);
        var maxDelay = Scaled(TimeSpan.FromMinutes(1));
        var deadline = time.GetUtcNow() + Scaled(options.ImportInfoTimeout);
        var wait = firstDelay ?? delay;
        while (true)
        {
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken);
            }

            var info = await client.GetImportInfoAsync(account, import.BatchId, cancellationToken);
            if (info.IsCompleted)
            {
                return CompletedImport.Of(import, info.FailedEmails);
            }

            if (time.GetUtcNow() >= deadline)
            {
                LogImportNotConfirmed(import.BatchId, import.Contacts.Length);
                return CompletedImport.NotConfirmed(import.BatchId);
            }

            if (wait >= delay)
            {
                delay = delay * 2 < maxDelay ? delay * 2 : maxDelay;
            }

            wait = delay;
        }
    }

    private TimeSpan Scaled(TimeSpan span) => span / limits.TimeScale;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import {BatchId} not confirmed in time; its {Count} contacts go back to pending, as possibly in the account")]
    private partial void LogImportNotConfirmed(string batchId, int count);
}
