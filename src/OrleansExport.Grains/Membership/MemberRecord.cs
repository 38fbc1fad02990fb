namespace OrleansExport.Grains.Membership;

[Flags]
public enum MemberFlags : byte
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
}

/// <summary>What a shard remembers about one profile. Kept small: an export can hold a million.</summary>
[GenerateSerializer]
public sealed class MemberRecord
{
    [Id(0)] public long LastOccurredTicks;

    /// <summary>Hash of the eventId of the newest applied event: a repeat of it is a duplicate.</summary>
    [Id(1)] public ulong LastEventHash;

    /// <summary>Bit i set while the profile is in the export's i-th segment.</summary>
    [Id(2)] public ulong SegmentMask;

    [Id(3)] public ContactData? Data;

    [Id(4)] public ulong DataHash;

    /// <summary>Hash of the data ActiveCampaign last accepted; 0 when none.</summary>
    [Id(5)] public ulong AcceptedHash;

    [Id(6)] public MemberFlags Flags;

    /// <summary>Times in a row that import/info listed the current data as failed.</summary>
    [Id(7)] public byte ImportFailures;

    public bool IsMember => SegmentMask != 0 && !Has(MemberFlags.SkippedByCap);

    public bool Has(MemberFlags flag) => (Flags & flag) != 0;

    public void Set(MemberFlags flag) => Flags |= flag;

    public void Clear(MemberFlags flag) => Flags &= ~flag;
}
