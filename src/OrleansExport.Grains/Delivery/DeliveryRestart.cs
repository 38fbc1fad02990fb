using Microsoft.Extensions.Logging;
using OrleansExport.Grains.Exports;

namespace OrleansExport.Grains.Delivery;

/// <summary>
/// How an export's delivery starts on a new activation: the outcomes the gone activation journaled are handed to the
/// shards again, the imports it had accepted are confirmed (<see cref="ImportRecovery"/>, off the activation's call: it may take <see cref="ExportOptions.ImportInfoTimeout"/>),
/// and only then are the leases it held released (their contacts go back to pending) and the pump started.
/// </summary>
/// <param name="keepAlive">Keeps the activation alive this long: no pump does while the imports are asked about.</param>
/// <param name="startOver">Recovery failed: the activation goes, and the next one (keep-alive reminder, a shard's report) starts over.</param>
public sealed partial class DeliveryRestart(
    string exportId,
    ExportShardSet shards,
    DeliveryLoop delivery,
    AcceptedImports imports,
    Func<ImportRecovery> recovery,
    int importFailureRetries,
    Func<bool> active,
    Action startPump,
    Action keepAlive,
    Action startOver,
    ILogger logger)
{
    private readonly ILogger _logger = logger;

    public async Task StartAsync()
    {
        var journal = await imports.RecoverAsync();

        // The gone activation may have journaled deliveries it did not hand to every shard: a shard takes each once.
        if (!await delivery.Handover.HandJournaledAsync([.. journal.Deliveries.Select(d => (d.Key, journal.OutcomesOf(d.Value, importFailureRetries)))]))
        {
            throw new InvalidOperationException($"A shard of export {exportId} did not take the journaled outcomes of its deliveries.");
        }

        var outstanding = journal.Outstanding;
        if (outstanding.Count == 0)
        {
            await ResumeAsync();
        }
        else
        {
            _ = RecoverThenResumeAsync(outstanding);
        }
    }

    private async Task ResumeAsync()
    {
        // A new activation holds no leases: whatever an earlier one leased goes back to pending.
        await shards.ForEachAsync(shard => shard.ReleaseLeasesAsync());
        delivery.NoteAllOverdue();
        startPump();
    }

    private async Task RecoverThenResumeAsync(IReadOnlyList<AcceptedImport> outstanding)
    {
        keepAlive();
        try
        {
            await recovery().RecoverAsync(outstanding);
            if (active())
            {
                await ResumeAsync();
            }
        }
        catch (Exception exception)
        {
            LogResumeFailed(exportId, exception.GetType().Name);
            startOver();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId} could not resume delivery after confirming its accepted imports ({Error}); it reactivates and tries again")]
    private partial void LogResumeFailed(string exportId, string error);
}
