using Microsoft.Extensions.Logging;
using OrleansExport.Grains.Exports;
using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.Delivery;

/// <summary>
/// Hands a delivery's outcomes to the export's shards, durable first: journaled once in the export's journal of
/// deliveries for every shard (group commit), else by each shard for its share. Each delivery has a number; with every
/// call a shard also learns up to which number it was handed every delivery (<see cref="HandedThrough"/>), so that its
/// snapshot records which deliveries it holds and a replay after a crash applies only the others. Outcomes a shard could
/// not take are handed over again by the pump (<see cref="RetryAsync"/>): until they arrive, the shard holds those
/// contacts as leased and would never send them again. Counts the running full run's sent, unsubscribed and failed.
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

    // Per shard, the deliveries being handed to it or waiting to be handed again: it holds every delivery below the least.
    private readonly Dictionary<int, SortedSet<long>> _unhanded = [];
    private readonly List<(int Shard, ContactOutcome[] Outcomes, bool Journaled, long Sequence)> _toRetry = [];
    private DateTimeOffset _retryAt;

    /// <summary>The running full run's counters moved since the pump last saved them.</summary>
    public bool RunCountersChanged { get; set; }

    /// <summary>The shard was handed every delivery numbered up to this one (or the delivery had nothing for it).</summary>
    public long HandedThrough(int shard) =>
        _unhanded.TryGetValue(shard, out var unhanded) && unhanded.Count > 0 ? unhanded.Min - 1 : imports?.LastSequence ?? 0;

    /// <param name="delivery">What the delivery came to, not yet numbered.</param>
    /// <returns>Every shard took its outcomes (else the pump hands the rest again).</returns>
    public async Task<bool> HandAsync(DeliveredOutcomes delivery, IReadOnlyList<AcceptedImport> accepted, IReadOnlyCollection<ContactOutcome> outcomes)
    {
        var sequence = imports?.NextSequence() ?? 0;
        var groups = Group(outcomes);
        NoteUnhanded(groups, sequence);
        var journaled = await JournalAsync(delivery with { Sequence = sequence }, outcomes.Count);
        var taken = await HandGroupsAsync(groups, journaled, sequence);
        if (taken && !journaled)
        {
            // The shards journaled these outcomes: the imports need not be carried as outstanding any more.
            imports?.Settled(accepted.Select(i => i.BatchId));
        }

        return taken;
    }

    /// <summary>Deliveries the export's journal holds, handed again after a restart: every shard gets its share of each, all at once.</summary>
    /// <returns>Every shard took its outcomes.</returns>
    public async Task<bool> HandJournaledAsync(IReadOnlyList<(long Sequence, List<ContactOutcome> Outcomes)> deliveries)
    {
        var grouped = deliveries.Select(d => (d.Sequence, Groups: Group(d.Outcomes))).ToList();
        foreach (var (sequence, groups) in grouped)
        {
            NoteUnhanded(groups, sequence);
        }

        var taken = await Task.WhenAll(grouped.Select(d => HandGroupsAsync(d.Groups, journaled: true, d.Sequence)));
        return taken.All(t => t);
    }

    private Dictionary<int, ContactOutcome[]> Group(IReadOnlyCollection<ContactOutcome> outcomes)
    {
        var count = shards().Count;
        return outcomes.GroupBy(o => ProfileHash.Bucket(o.ProfileId, count)).ToDictionary(g => g.Key, g => g.ToArray());
    }

    private void NoteUnhanded(Dictionary<int, ContactOutcome[]> groups, long sequence)
    {
        if (sequence <= 0)
        {
            return;
        }

        foreach (var shard in groups.Keys)
        {
            (_unhanded.TryGetValue(shard, out var unhanded) ? unhanded : _unhanded[shard] = []).Add(sequence);
        }
    }

    /// <summary>Makes the delivery durable once for all shards; when that fails (or there is no journal), each shard journals its share.</summary>
    /// <returns>The export's journal holds the delivery.</returns>
    private async Task<bool> JournalAsync(DeliveredOutcomes delivery, int contacts)
    {
        if (imports is not { Durable: true } journal)
        {
            return false;
        }

        try
        {
            await journal.DeliveredAsync(delivery, contacts);
            return true;
        }
        catch (Exception exception)
        {
            LogDeliveryNotJournaled(exportId, exception.GetType().Name);
            return false;
        }
    }

    /// <returns>Every shard took its outcomes.</returns>
    private async Task<bool> HandGroupsAsync(Dictionary<int, ContactOutcome[]> groups, bool journaled, long sequence)
    {
        var taken = await Task.WhenAll(groups.Select(group => HandToShardAsync(group.Key, group.Value, journaled, sequence)));
        return taken.All(t => t);
    }

    private async Task<bool> HandToShardAsync(int shard, ContactOutcome[] outcomes, bool journaled, long sequence)
    {
        ShardCompletion completion;
        try
        {
            completion = await shards()[shard].CompleteAsync(outcomes, journaled, sequence, HandedThrough(shard));
        }
        catch (Exception exception)
        {
            LogOutcomesNotTaken(shard, exportId, outcomes.Length, exception.GetType().Name);
            _toRetry.Add((shard, outcomes, journaled, sequence));
            _retryAt = time.GetUtcNow() + RetryDelay;
            return false;
        }

        if (sequence > 0 && _unhanded.TryGetValue(shard, out var unhanded))
        {
            unhanded.Remove(sequence);
        }

        scheduler().NoteShardPending(shard, completion.Pending);
        if (exportState().Run is { Active: true } run)
        {
            run.Sent += completion.RunSent;
            run.Unsubscribed += completion.RunUnsubscribed;
            run.Failed += completion.RunFailed;
            RunCountersChanged = true;
        }

        return true;
    }

    /// <summary>
    /// Hands over again what a shard could not take. The export's journal keeps a delivery until every shard holds it
    /// (the shard's <see cref="HandedThrough"/> stays below it meanwhile), and a shard that read it back after a crash
    /// takes it once.
    /// </summary>
    public async Task RetryAsync()
    {
        if (_toRetry.Count == 0 || time.GetUtcNow() < _retryAt)
        {
            return;
        }

        var retry = _toRetry.ToList();
        _toRetry.Clear();
        await Task.WhenAll(retry.Select(r => HandToShardAsync(r.Shard, r.Outcomes, r.Journaled, r.Sequence)));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId} could not journal a delivery's outcomes ({Error}); its shards journal them")]
    private partial void LogDeliveryNotJournaled(string exportId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Index} of export {ExportId} did not take {Count} outcomes ({Error}); retrying shortly")]
    private partial void LogOutcomesNotTaken(int index, string exportId, int count, string error);
}
