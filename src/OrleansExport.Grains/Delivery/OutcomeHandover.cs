using Microsoft.Extensions.Logging;
using OrleansExport.Grains.Exports;
using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.Delivery;

/// <summary>
/// Hands a delivery's outcomes to the export's shards, durable first: journaled once in the export's journal of
/// deliveries for every shard (group commit), else by each shard for its share. Outcomes a shard could not take are
/// kept and handed over again by the pump (<see cref="RetryAsync"/>): until they arrive, the shard holds those contacts
/// as leased and would never send them again. Counts the running full run's sent, unsubscribed and failed.
/// </summary>
public sealed partial class OutcomeHandover(
    string exportId,
    Func<ExportShardSet> shards,
    Func<ExportState> exportState,
    Func<DeliveryScheduler> scheduler,
    AcceptedImports? imports,
    TimeProvider time,
    ILogger logger)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger = logger;

    // Outcomes a shard could not take, with the journaled delivery they belong to (null: not journaled by the export).
    private readonly List<(ContactOutcome[] Outcomes, DeliveredOutcomes? Delivery)> _toRetry = [];
    private DateTimeOffset _retryAt;

    /// <summary>The running full run's counters moved since the pump last saved them.</summary>
    public bool RunCountersChanged { get; set; }

    public async Task HandAsync(DeliveredOutcomes delivery, IReadOnlyList<AcceptedImport> accepted, IReadOnlyCollection<ContactOutcome> outcomes)
    {
        var journaled = await JournalAsync(delivery, accepted);
        await HandToShardsAsync(outcomes, journaled, journaled ? delivery : null);
    }

    /// <summary>Makes the delivery durable once for all shards; when that fails (or there is no journal), each shard journals its share.</summary>
    /// <returns>The export's journal holds the delivery.</returns>
    private async Task<bool> JournalAsync(DeliveredOutcomes delivery, IReadOnlyList<AcceptedImport> accepted)
    {
        if (imports is not { Durable: true } journal)
        {
            return false;
        }

        try
        {
            await journal.DeliveredAsync(delivery, accepted);
            return true;
        }
        catch (Exception exception)
        {
            LogDeliveryNotJournaled(exportId, exception.GetType().Name);
            return false;
        }
    }

    /// <param name="journaled">The export's journal holds them (<see cref="AcceptedImports.DeliveredAsync"/>): the shards need not journal them.</param>
    /// <param name="journaledIn">The delivery that holds them: once every shard took them, a new generation of the journal need not carry it over.</param>
    /// <returns>Every shard took its outcomes.</returns>
    public async Task<bool> HandToShardsAsync(IReadOnlyCollection<ContactOutcome> outcomes, bool journaled, DeliveredOutcomes? journaledIn = null)
    {
        var set = shards();
        var allTaken = true;
        await Task.WhenAll(outcomes.GroupBy(o => ProfileHash.Bucket(o.ProfileId, set.Count)).Select(async group =>
        {
            ShardCompletion completion;
            try
            {
                completion = await set[group.Key].CompleteAsync([.. group], journaled);
            }
            catch (Exception exception)
            {
                LogOutcomesNotTaken(group.Key, exportId, group.Count(), exception.GetType().Name);
                _toRetry.Add(([.. group], journaledIn));
                _retryAt = time.GetUtcNow() + RetryDelay;
                allTaken = false;
                return;
            }

            scheduler().NoteShardPending(group.Key, completion.Pending);
            if (exportState().Run is { Active: true } run)
            {
                run.Sent += completion.RunSent;
                run.Unsubscribed += completion.RunUnsubscribed;
                run.Failed += completion.RunFailed;
                RunCountersChanged = true;
            }
        }));

        if (allTaken && journaledIn is not null)
        {
            imports!.Handed(journaledIn);
        }

        return allTaken;
    }

    /// <summary>
    /// Hands over again what a shard could not take, delivery by delivery, journaled by the shards this time (part of it
    /// may have reached the shards already). A delivery stays carried over by the journal until a retry hands it all.
    /// </summary>
    public async Task RetryAsync()
    {
        if (_toRetry.Count == 0 || time.GetUtcNow() < _retryAt)
        {
            return;
        }

        var retry = _toRetry.ToList();
        _toRetry.Clear();
        foreach (var delivery in retry.GroupBy(r => r.Delivery, ReferenceEqualityComparer.Instance))
        {
            if (await HandToShardsAsync([.. delivery.SelectMany(r => r.Outcomes)], journaled: false) && delivery.Key is DeliveredOutcomes handed)
            {
                imports?.Handed(handed);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId} could not journal a delivery's outcomes ({Error}); its shards journal them")]
    private partial void LogDeliveryNotJournaled(string exportId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Index} of export {ExportId} did not take {Count} outcomes ({Error}); retrying shortly")]
    private partial void LogOutcomesNotTaken(int index, string exportId, int count, string error);
}
