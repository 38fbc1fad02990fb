using Microsoft.Extensions.Logging;
using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Connections;

namespace OrleansExport.Grains.Delivery;

/// <summary>
/// Runs when an export's delivery loop starts over, before the shards release the leases of the gone one: each import
/// it left accepted but unconfirmed (<see cref="AcceptedImports"/>) is asked about again, and what it came to is journaled
/// and handed to the shards (<paramref name="handOver"/>: <see cref="OutcomeHandover.HandAsync"/>), so that what
/// ActiveCampaign applied is not sent again. An import import/info does not confirm within
/// <see cref="ExportOptions.ImportInfoTimeout"/>, or that cannot be asked about (no key), ends as
/// <see cref="OutcomeKind.Unconfirmed"/>, as it would have without the crash.
/// </summary>
/// <remarks>
/// A crash in here leaves each import outstanding until its delivery is journaled: the next activation asks again, or
/// hands the journaled delivery again, which a shard takes once (by its number).
/// </remarks>
public sealed partial class ImportRecovery(
    string exportId,
    ImportConfirmation confirmation,
    Func<Task<ActiveCampaignAccount?>> account,
    Func<DeliveredOutcomes, IReadOnlyList<AcceptedImport>, IReadOnlyCollection<ContactOutcome>, Task<bool>> handOver,
    ILogger logger)
{
    /// <summary>The account of the export's connection to ask import/info; null when its key is missing or refused.</summary>
    public static async Task<ActiveCampaignAccount?> AccountOfAsync(IGrainFactory grains, ApiKeyProtector protector, string connectionId) =>
        await grains.GetGrain<IConnectionGrain>(connectionId).GetCredentialsAsync() is { KeyRefused: false } credentials
            ? new ActiveCampaignAccount(credentials.Hostname, protector.Unprotect(credentials.ProtectedApiKey))
            : null;

    public async Task RecoverAsync(IReadOnlyList<AcceptedImport> outstanding)
    {
        if (outstanding.Count == 0)
        {
            return;
        }

        LogRecovering(exportId, outstanding.Count, outstanding.Sum(i => i.Contacts.Length));
        var known = await TryGetAccountAsync();
        await Task.WhenAll(outstanding.Select(async import =>
        {
            var completed = await CompletedAsync(known, import);
            if (!await handOver(new DeliveredOutcomes([completed], []), [import], ImportOutcomes.Of(import, completed, confirmation.ImportFailureRetries)))
            {
                // A shard is restarting: the activation starts over, and hands again, before any lease is released.
                throw new InvalidOperationException($"A shard of export {exportId} did not take the outcomes of an accepted import.");
            }
        }));
    }

    private async Task<ActiveCampaignAccount?> TryGetAccountAsync()
    {
        try
        {
            return await account();
        }
        catch (Exception exception)
        {
            LogNoAccount(exportId, exception.GetType().Name);
            return null;
        }
    }

    private async Task<CompletedImport> CompletedAsync(ActiveCampaignAccount? known, AcceptedImport import)
    {
        if (known is null)
        {
            return CompletedImport.NotConfirmed(import.BatchId);
        }

        try
        {
            // The import has waited since before the crash: ask at once.
            return await confirmation.ConfirmAsync(known, import, CancellationToken.None, firstDelay: TimeSpan.Zero);
        }
        catch (Exception exception)
        {
            LogNotConfirmed(exportId, import.BatchId, exception.GetType().Name);
            return CompletedImport.NotConfirmed(import.BatchId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId} asks again about {Imports} imports ({Contacts} contacts) ActiveCampaign accepted before its delivery loop stopped")]
    private partial void LogRecovering(string exportId, int imports, int contacts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId} cannot ask about its accepted imports ({Error}): their contacts go back to pending")]
    private partial void LogNoAccount(string exportId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId} could not learn the outcome of import {BatchId} ({Error}): its contacts go back to pending")]
    private partial void LogNotConfirmed(string exportId, string batchId, string error);
}
