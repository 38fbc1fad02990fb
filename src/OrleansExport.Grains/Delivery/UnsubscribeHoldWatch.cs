using Microsoft.Extensions.Logging;
using OrleansExport.Grains.Alerts;
using OrleansExport.Grains.ExportShards;
using OrleansExport.Grains.Exports;

namespace OrleansExport.Grains.Delivery;

/// <summary>
/// The mass-unsubscribe guard as the <see cref="DeliveryLoop"/> runs it: before a batch is collected it weighs the
/// shards' pending unsubscribes (<see cref="UnsubscribeGuard"/> decides), keeps the hold or a person's release in the
/// export's state and alerts when a hold starts; while holding it weighs them every second as well, so that the hold
/// lifts by itself when upstream brings the members back.
/// </summary>
public sealed partial class UnsubscribeHoldWatch(string exportId, Func<ExportState> exportState, Func<Task> writeState, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan HeldCheckInterval = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger = logger;
    private DateTimeOffset _nextHeldCheck;

    private ExportState State => exportState();

    /// <summary>Unsubscribes are held back now.</summary>
    public bool Holding => State.UnsubscribeHold?.Held is not null;

    /// <summary>
    /// Weighs the shards when a batch is due (or, while holding, once a second) and keeps the decision. A hold that
    /// starts is alerted through <paramref name="alert"/>; one that lifts makes every shard due, since the contacts it
    /// held are in no shard's pending count.
    /// </summary>
    /// <returns>Whether unsubscribes are to be held back from the batches collected now.</returns>
    public async Task<bool> CheckAsync(ExportShardSet shards, DeliveryScheduler scheduler, bool runActive, Action<string, string?> alert)
    {
        var weighed = State.UnsubscribeHold;
        var held = weighed?.Held;
        var released = weighed?.Released ?? false;
        var maxPercent = State.Definition!.MaxUnsubscribePercent;
        var guardOff = maxPercent is null && held is null && !released;
        var due = scheduler.IsBatchDue(runActive) || held is not null && time.GetUtcNow() >= _nextHeldCheck;
        if (!State.IsSending || guardOff || !due)
        {
            return held is not null;
        }

        _nextHeldCheck = time.GetUtcNow() + HeldCheckInterval;
        // Cheap first (the queues only); the scan for subscribed contacts only when enough wait to matter.
        var figures = await FiguresAsync(shards, countSubscribed: false);
        if (figures.PendingUnsubscribes > UnsubscribeGuard.MinimumHeld)
        {
            figures = await FiguresAsync(shards, countSubscribed: true);
        }

        if (!Equals(State.UnsubscribeHold, weighed))
        {
            // The export is reentrant: a release (or another check) changed the hold while the shards answered. Deciding
            // from what was read before would undo it; the next check weighs again from what is there now.
            return Holding;
        }

        var decision = UnsubscribeGuard.Evaluate(held, released, figures, maxPercent, time.GetUtcNow());
        if (decision.Held != held || decision.Released != released)
        {
            await SaveAsync(decision.Held is null && !decision.Released ? null : new UnsubscribeHoldState(decision.Held, decision.Released));
        }

        if (decision.Started)
        {
            LogHeld(exportId, decision.Held!.Count);
            alert(AlertEvents.UnsubscribesHeld, decision.Held.Reason);
        }

        if (decision.Lifted)
        {
            LogLifted(exportId, figures.PendingUnsubscribes);
            scheduler.NoteAllOverdue();
        }

        return decision.Held is not null;
    }

    /// <summary>A person releases the held unsubscribes: they go out, and the guard watches again once fewer than its threshold wait.</summary>
    /// <returns>How many were held; null when none were.</returns>
    public async Task<long?> ReleaseAsync()
    {
        if (State.UnsubscribeHold?.Held is not { } held)
        {
            return null;
        }

        await SaveAsync(new UnsubscribeHoldState(null, Released: true));
        return held.Count;
    }

    /// <summary>Keeps the hold; a write that fails leaves the one before in memory too, so a hold that starts is alerted when it is stored.</summary>
    private async Task SaveAsync(UnsubscribeHoldState? hold)
    {
        var before = State.UnsubscribeHold;
        State.UnsubscribeHold = hold;
        try
        {
            await writeState();
        }
        catch
        {
            State.UnsubscribeHold = before;
            throw;
        }
    }

    private static async Task<UnsubscribeFigures> FiguresAsync(ExportShardSet shards, bool countSubscribed) =>
        (await Task.WhenAll(Enumerable.Range(0, shards.Count).Select(i => shards[i].GetUnsubscribeFiguresAsync(countSubscribed))))
            .Aggregate(UnsubscribeFigures.Zero, (sum, one) => sum.Add(one));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId} holds {Count} unsubscribes (mass-unsubscribe guard); a person may release them")]
    private partial void LogHeld(string exportId, long count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId}: the unsubscribe hold lifted by itself ({Count} unsubscribes pending now)")]
    private partial void LogLifted(string exportId, long count);
}
