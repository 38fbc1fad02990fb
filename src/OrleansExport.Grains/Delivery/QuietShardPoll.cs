using Microsoft.Extensions.Logging;
using OrleansExport.Grains.Exports;

namespace OrleansExport.Grains.Delivery;

/// <summary>
/// The fallback for a lost "has pending" notice (a one-way call from a shard: <see cref="IExportGrain.ShardHasPendingAsync"/>):
/// every <see cref="ExportOptions.PendingPollInterval"/> the delivery loop asks the shards it believes hold nothing how
/// many contacts they hold pending (a figure each keeps, not a scan). Contacts found so have waited already: they are
/// collected at once. Pending contacts thus reach ActiveCampaign within the interval and a batch's round trip, whatever
/// notice is lost.
/// </summary>
public sealed partial class QuietShardPoll(string exportId, TimeSpan interval, TimeProvider time, ILogger logger)
{
    private readonly ILogger _logger = logger;
    private DateTimeOffset _due = time.GetUtcNow() + interval;

    /// <param name="sending">Whether the export sends now: before its first run, or paused, nothing is collected anyway.</param>
    public async Task PollAsync(DeliveryScheduler scheduler, ExportShardSet shards, bool sending)
    {
        if (!sending || time.GetUtcNow() < _due)
        {
            return;
        }

        _due = time.GetUtcNow() + interval;
        var answers = await Task.WhenAll(scheduler.QuietShards().Select(async index => (Index: index, Pending: await PendingOfAsync(shards, index))));
        foreach (var (index, pending) in answers.Where(answer => answer.Pending > 0))
        {
            LogFoundPending(exportId, index, pending);
            scheduler.NoteOverdue(index);
            scheduler.NoteShardPending(index, pending);
        }
    }

    /// <summary>A shard that does not answer (its silo may have just died) is asked again next time.</summary>
    private async Task<int> PendingOfAsync(ExportShardSet shards, int index)
    {
        try
        {
            return await shards[index].GetPendingAsync();
        }
        catch (Exception exception)
        {
            LogShardDidNotAnswer(index, exportId, exception.GetType().Name);
            return 0;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Export {ExportId}: shard {Index} holds {Pending} pending contacts the delivery loop had not heard of; collecting them")]
    private partial void LogFoundPending(string exportId, int index, int pending);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shard {Index} of export {ExportId} did not say what it holds pending: {Error}")]
    private partial void LogShardDidNotAnswer(int index, string exportId, string error);
}
