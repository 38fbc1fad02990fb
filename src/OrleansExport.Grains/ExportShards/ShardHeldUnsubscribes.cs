using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.ExportShards;

/// <summary>
/// An export shard's part in the mass-unsubscribe guard (<see cref="UnsubscribeGuard"/>): the unsubscribes and deletes it
/// holds back (still Dirty, so a reactivated shard queues them again, but out of the outbox's queue), and the queued
/// slots that may be such unsubscribes, which is what the guard counts before each batch.
/// </summary>
public sealed class ShardHeldUnsubscribes(MemberTable members, OutcomeEffects.ActionOf actionFor)
{
    private readonly HashSet<int> _held = [];

    // The queued slots that may be unsubscribes (they were out of every segment when queued or marked), so that weighing
    // the guard before each batch costs the leavers waiting, not the whole queue (a full run queues every member).
    private readonly HashSet<int> _mayBeHoldable = [];

    /// <summary>The guard holds the member's unsubscribe or delete back.</summary>
    public bool IsHeld(int slot) => _held.Contains(slot);

    public void Hold(int slot) => _held.Add(slot);

    /// <returns>The slot was held: it goes back in line.</returns>
    public bool Release(int slot) => _held.Remove(slot);

    /// <summary>
    /// Only a profile out of every segment can be a holdable unsubscribe (<see cref="UnsubscribeGuard.IsHoldable"/>), and a
    /// member leaves only through an event or a changed definition, both of which mark it dirty: the outbox notes each then.
    /// </summary>
    public void NoteQueued(int slot)
    {
        if (!members[slot].IsMember)
        {
            _mayBeHoldable.Add(slot);
        }
    }

    /// <summary>The held slots the guard would not hold now (it lifted, or the profile came back): released, to queue again.</summary>
    public List<int> ReleaseNoLongerHeld(bool holdUnsubscribes)
    {
        var released = _held.Where(slot => !holdUnsubscribes || actionFor(members[slot]) is not { } action || !UnsubscribeGuard.IsHoldable(members[slot], action)).ToList();
        _held.ExceptWith(released);
        return released;
    }

    /// <summary>
    /// Unsubscribes and deletes waiting to be sent that the guard may hold, found in the queue and among the held
    /// (contacts in flight are not counted: they are sent already).
    /// </summary>
    public long CountHoldable()
    {
        // Held slots are noted too (they were queued first); a slot no longer queued, or back in a segment, is noted again when it is marked.
        _mayBeHoldable.RemoveWhere(slot => !members[slot].Has(MemberFlags.Dirty) || members[slot].IsMember);
        long pending = 0;
        foreach (var slot in _mayBeHoldable)
        {
            ref readonly var member = ref members[slot];
            if (!member.Has(MemberFlags.Leased) && actionFor(member) is { } action && UnsubscribeGuard.IsHoldable(member, action))
            {
                pending++;
            }
        }

        return pending;
    }
}
