using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.ExportShards;

/// <summary>
/// What an export shard reports of its members: how many, pending, in sync, opted out, over the cap, in the run. A run's
/// unsubscribe the mass-unsubscribe guard holds counts as held, not as remaining: it waits for a person, and the run
/// must not hold the account's run queue meanwhile.
/// </summary>
public static class ShardReport
{
    public static ShardCounters Counters(ExportShardState state, ShardOutbox outbox)
    {
        long members = 0, pending = 0, inSync = 0, skipped = 0, inRun = 0, runHeld = 0, optedOut = 0;
        for (var slot = 0; slot < state.Members.Count; slot++)
        {
            ref readonly var member = ref state.Members[slot];
            if (member.Has(MemberFlags.InRun) && outbox.IsHeld(slot))
            {
                runHeld++;
            }
            else if (member.Has(MemberFlags.InRun))
            {
                inRun++;
            }

            if (member.Has(MemberFlags.SkippedByCap))
            {
                skipped++;
            }

            if (!member.IsMember)
            {
                continue;
            }

            members++;
            if (member.Has(MemberFlags.OptedOut))
            {
                optedOut++;
                continue;
            }

            var accepted = member.Has(MemberFlags.SubscribedInAc) && member.AcceptedHash == member.DataHash
                && !member.Has(MemberFlags.UnsubscribedInAc);
            if (accepted && !member.Has(MemberFlags.InRun))
            {
                inSync++;
            }
            else if (!member.Has(MemberFlags.Failed))
            {
                pending++;
            }
        }

        return new ShardCounters(members, pending, inSync, state.RejectedTotal, skipped, inRun, outbox.DirtySince,
            state.Members.AllocatedBytes + (long)outbox.PendingEstimate * sizeof(int), state.EventsReceived, state.Erased, runHeld, optedOut);
    }
}
