using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.ExportShards;

/// <summary>
/// What ActiveCampaign needs to hear about one member of an export now, if anything: a pure function of the
/// member's flags and data and of the export's onLeave and onErase. <c>SendPolicyTests</c> lists every combination.
/// </summary>
public static class SendPolicy
{
    public static ContactAction? ActionFor(in MemberSlot member, LeaveAction onLeave, EraseAction onErase)
    {
        if (!member.HasData)
        {
            return null;
        }

        if (member.Has(MemberFlags.OptedOut))
        {
            return OptOutRules.ActionWhenOptedOut(member, onErase);
        }

        if (member.Erasure == ErasureState.Pending)
        {
            return ErasureAction(member, onErase);
        }

        var inRun = member.Has(MemberFlags.InRun);
        if (member.IsMember)
        {
            if (member.Has(MemberFlags.UnsubscribedInAc))
            {
                return ContactAction.Resubscribe;
            }

            var changed = member.DataHash != member.AcceptedHash || !member.Has(MemberFlags.SubscribedInAc);
            return (changed && !member.Has(MemberFlags.Failed)) || inRun ? ContactAction.Upsert : null;
        }

        if (onLeave != LeaveAction.Unsubscribe || member.Has(MemberFlags.SkippedByCap))
        {
            return null;
        }

        // Only a contact we subscribed (or may have: a send whose outcome is unknown) is unsubscribed: never create a
        // contact for someone never exported.
        var subscribed = member.Has(MemberFlags.SubscribedInAc);
        var alreadyUnsubscribed = member.Has(MemberFlags.UnsubscribedInAc);
        return subscribed && !alreadyUnsubscribed || member.MaybeInAccount || inRun && (subscribed || alreadyUnsubscribed) ? ContactAction.Unsubscribe : null;
    }

    /// <summary>
    /// An erased profile's contact, whatever onLeave says: unsubscribed (unless it already is), or deleted with
    /// onErase=delete. Only a contact ActiveCampaign has (or may have) from us; none after a failed attempt (the data goes
    /// all the same).
    /// </summary>
    private static ContactAction? ErasureAction(in MemberSlot member, EraseAction onErase)
    {
        var inAccount = member.Has(MemberFlags.SubscribedInAc) || member.Has(MemberFlags.UnsubscribedInAc) || member.MaybeInAccount;
        if (!inAccount || member.Has(MemberFlags.Failed))
        {
            return null;
        }

        return onErase == EraseAction.Delete ? ContactAction.Delete
            : member.Has(MemberFlags.UnsubscribedInAc) && !member.MaybeInAccount ? null : ContactAction.Unsubscribe;
    }
}
