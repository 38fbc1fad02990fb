using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.ExportShards;

/// <summary>A full run in an export shard: which members it marked to be sent again, and cancelling it.</summary>
public sealed class ShardRuns(ExportShardState state, ShardOutbox outbox)
{
    private MemberTable Members => state.Members;

    /// <summary>Marks every member, and every unsubscribed-through-us profile, to be sent again.</summary>
    public long Begin(string runId)
    {
        if (state.RunId == runId)
        {
            return CountInRun();
        }

        state.RunId = runId;
        for (var slot = 0; slot < Members.Count; slot++)
        {
            ref var member = ref Members[slot];
            member.Clear(MemberFlags.Failed);
            member.ImportFailures = 0;
            member.Set(MemberFlags.InRun);
            if (outbox.ActionFor(member) is null)
            {
                member.Clear(MemberFlags.InRun);
                continue;
            }

            outbox.MarkDirty(slot);
        }

        return CountInRun();
    }

    public void Cancel(string runId)
    {
        if (state.RunId != runId)
        {
            return;
        }

        state.RunId = null;
        for (var slot = 0; slot < Members.Count; slot++)
        {
            Members[slot].Clear(MemberFlags.InRun);
        }
    }

    private long CountInRun()
    {
        long count = 0;
        for (var slot = 0; slot < Members.Count; slot++)
        {
            count += Members[slot].Has(MemberFlags.InRun) ? 1 : 0;
        }

        return count;
    }
}
