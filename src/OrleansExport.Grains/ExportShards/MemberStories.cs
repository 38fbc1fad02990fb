using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.ExportShards;

/// <summary>Where one contact of an export stands and why, from what its shard keeps (GET /api/exports/{id}/members/...).</summary>
public static class MemberStories
{
    /// <param name="desired">What ActiveCampaign still needs to hear about the contact, if anything.</param>
    public static MemberState StateOf(in MemberSlot member, ContactAction? desired)
    {
        if (member.Erasure != ErasureState.None)
        {
            return MemberState.Erased;
        }

        if (member.Has(MemberFlags.OptedOut))
        {
            return MemberState.OptedOut;
        }

        if (member.Has(MemberFlags.SkippedByCap))
        {
            return MemberState.SkippedByCap;
        }

        if (!member.HasData)
        {
            // Only a join whose mapped email was missing or invalid keeps a slot without data (erasures are above).
            return MemberState.Rejected;
        }

        if (!member.IsMember)
        {
            // Leased: its unsubscribe is with ActiveCampaign, not yet confirmed.
            return desired is not null || member.Has(MemberFlags.Leased) ? MemberState.Pending
                : member.Has(MemberFlags.UnsubscribedInAc) ? MemberState.Unsubscribed
                : MemberState.Left;
        }

        if (member.Has(MemberFlags.Failed))
        {
            return MemberState.Rejected;
        }

        var inSync = member.Has(MemberFlags.SubscribedInAc) && !member.Has(MemberFlags.UnsubscribedInAc)
            && member.AcceptedHash == member.DataHash && !member.Has(MemberFlags.InRun);
        return inSync ? MemberState.InSync : MemberState.Pending;
    }

    /// <param name="rejection">The newest rejection the shard keeps for the profile, if any.</param>
    /// <param name="held">The contact's unsubscribe is held by the mass-unsubscribe guard.</param>
    /// <param name="maybeInAccount">A send's outcome never came: the contact may be in the account (<see cref="MemberSlot.MaybeInAccount"/>).</param>
    public static string Reason(MemberState state, ContactAction? desired, Rejection? rejection, bool held, LeaveAction onLeave, bool maybeInAccount) => state switch
    {
        MemberState.Erased => "Erased (right to erasure): its data is forgotten; its contact is unsubscribed, or deleted with onErase=delete.",
        MemberState.SkippedByCap => rejection?.Reason ?? "Over the profile cap: not sent.",
        MemberState.Rejected => rejection?.Reason ?? "ActiveCampaign refused the contact; it is sent again when its data changes or in a full run.",
        MemberState.Unsubscribed => "In none of the export's segments any more: unsubscribed from the list (onLeave: unsubscribe).",
        MemberState.Left => onLeave == LeaveAction.Keep
            ? "In none of the export's segments any more: its contact is kept on the list (onLeave: keep)."
            : "In none of the export's segments any more; it was never subscribed by this export, so nothing is sent.",
        MemberState.OptedOut => "Opted out: unsubscribed or bounced in ActiveCampaign by the person, not by OrleansExport; never subscribed again unless the person subscribes again.",
        MemberState.InSync => "ActiveCampaign has its current data on the list.",
        _ when held => "Its unsubscribe is held by the mass-unsubscribe guard: released by a person, or dropped if upstream brings it back.",
        _ when maybeInAccount && desired == ContactAction.Unsubscribe =>
            "Left the export's segments after a send whose outcome never came (it may be on the list): its unsubscribe is waiting to be sent.",
        _ when maybeInAccount && desired is not null => "Sent, but its outcome never came: it may be on the list already, and is sent again.",
        _ => desired switch
        {
            ContactAction.Unsubscribe => "Left the export's segments: its unsubscribe is waiting to be sent.",
            ContactAction.Resubscribe => "Back in a segment after leaving: waiting to be subscribed again.",
            _ => "Waiting to be sent: its current data is not yet accepted by ActiveCampaign (the export sends nothing before its first run).",
        },
    };
}
