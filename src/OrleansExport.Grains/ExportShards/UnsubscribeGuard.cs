using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.ExportShards;

/// <summary>What the mass-unsubscribe guard decides (docs/design.md: the mass-unsubscribe guard). No Orleans in it.</summary>
/// <param name="Held">The hold in force after the decision; null when unsubscribes may be sent.</param>
/// <param name="Released">A person released the hold and the unsubscribes it held are still going out.</param>
/// <param name="Started">The hold began now: the export's alert webhook hears of it.</param>
/// <param name="Lifted">The hold ended by itself now (upstream brought members back): what is left is sent.</param>
public sealed record GuardDecision(HeldUnsubscribes? Held, bool Released, bool Started, bool Lifted);

public static class UnsubscribeGuard
{
    /// <summary>Fewer pending unsubscribes than this are never held, whatever the percent says (a small list may lose a few).</summary>
    public const long MinimumHeld = 100;

    /// <summary>An unsubscribe or delete the guard may hold: any but an erasure's, which never waits.</summary>
    public static bool IsHoldable(in MemberSlot member, ContactAction action) =>
        action is ContactAction.Unsubscribe or ContactAction.Delete && member.Erasure == ErasureState.None;

    /// <summary>Pending unsubscribes past both <paramref name="maxPercent"/> of the contacts subscribed in the list and <see cref="MinimumHeld"/>.</summary>
    public static bool Exceeds(UnsubscribeFigures figures, int? maxPercent) =>
        maxPercent is { } percent && figures.PendingUnsubscribes > MinimumHeld && figures.PendingUnsubscribes * 100 > percent * figures.Subscribed;

    public static string Reason(UnsubscribeFigures figures, int percent) =>
        $"{figures.PendingUnsubscribes} unsubscribes are held: more than {percent}% of the {figures.Subscribed} contacts this export subscribed in the list " +
        $"and more than {MinimumHeld} (maxUnsubscribePercent). A broken upstream snapshot or a wrong segment edit looks like this: check the preview, " +
        "then release them or wait for upstream to bring the members back. Joins and updates are still sent.";

    /// <summary>
    /// The hold after the export's shards reported <paramref name="figures"/>: it starts past the threshold, lifts by
    /// itself below it, and stays off while a release drains (until the pending unsubscribes fall below the threshold
    /// once, after which the guard watches again).
    /// </summary>
    public static GuardDecision Evaluate(HeldUnsubscribes? held, bool released, UnsubscribeFigures figures, int? maxPercent, DateTimeOffset now)
    {
        if (!Exceeds(figures, maxPercent))
        {
            return new(null, false, false, held is not null);
        }

        if (released)
        {
            return new(null, true, false, false);
        }

        var reason = Reason(figures, maxPercent!.Value);
        return held is null
            ? new(new HeldUnsubscribes(figures.PendingUnsubscribes, reason, now), false, true, false)
            : new(held with { Count = figures.PendingUnsubscribes, Reason = reason }, false, false, false);
    }
}
