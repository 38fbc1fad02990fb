namespace OrleansExport.Grains.Members;

[Flags]
public enum MemberFlags : ushort
{
    None = 0,
    /// <summary>ActiveCampaign accepted a subscribe of this contact to the list.</summary>
    SubscribedInAc = 1,
    /// <summary>ActiveCampaign accepted an unsubscribe: only contactLists can bring it back.</summary>
    UnsubscribedInAc = 2,
    SkippedByCap = 4,
    /// <summary>Marked by a full run: send even if ActiveCampaign already has this data.</summary>
    InRun = 8,
    /// <summary>Handed to the sender; its outcome has not come back yet.</summary>
    Leased = 16,
    /// <summary>Queued for the sender.</summary>
    Dirty = 32,
    /// <summary>ActiveCampaign refused the current data; not retried until the data changes or a run.</summary>
    Failed = 64,
    /// <summary>In flight when the export moved to another list: its outcome is for the old list.</summary>
    DeliveryReset = 128,
    /// <summary>
    /// The person (or a user, or ActiveCampaign for a bounce) took the contact off the list: OrleansExport never
    /// subscribes it again. Only ActiveCampaign telling that the person subscribed again lifts it.
    /// </summary>
    OptedOut = 256,
    /// <summary>Kept for <see cref="MemberSlot.MaybeInAccount"/>, so the slot stays 48 bytes.</summary>
    MaybeInAccount = 512,
}
