using System.Globalization;
using System.Runtime.InteropServices;

namespace OrleansExport.Grains.Members;

/// <summary>The fixed-size part of a member (56 bytes); its strings live in the <see cref="MemberTable"/> arena.</summary>
[GenerateSerializer]
[StructLayout(LayoutKind.Sequential)]
public struct MemberSlot
{
    [Id(0)] public long LastOccurredTicks;

    /// <summary>Hash of the eventId of the newest applied event: a repeat of it is a duplicate.</summary>
    [Id(1)] public ulong LastEventHash;

    /// <summary>Bit i set while the profile is in the export's i-th segment.</summary>
    [Id(2)] public ulong SegmentMask;

    /// <summary>Hash of the current data; 0 while the member has none.</summary>
    [Id(3)] public ulong DataHash;

    /// <summary>Hash of the data ActiveCampaign last accepted; 0 when none.</summary>
    [Id(4)] public ulong AcceptedHash;

    /// <summary>Where the member's entry (profile id and data) starts in the arena.</summary>
    [Id(5)] public int EntryOffset;

    [Id(6)] public MemberFlags Flags;

    /// <summary>Times in a row that import/info listed the current data as failed.</summary>
    [Id(7)] public byte ImportFailures;

    [Id(8)] public ErasureState Erasure;

    /// <summary>The ActiveCampaign contact id, once OrleansExport has seen it (a contact API answer, a reconciliation's read); 0 while unknown.</summary>
    [Id(10)] public uint ContactId;

    /// <summary>When ActiveCampaign last accepted a change of this contact, in <see cref="MemberClock"/> seconds; 0 while never.</summary>
    [Id(11)] public uint LastAcceptedSeconds;

    /// <summary>
    /// An upsert or re-subscribe of this contact may have reached ActiveCampaign while its outcome is unknown (import/info
    /// never confirmed it, the batch failed after it went out, or its sender died): leaves and erasures treat the contact
    /// as possibly subscribed. Cleared by the next accepted outcome. Kept as a bit of <see cref="Flags"/>; still stored as id 9, so state written when it was a field of its own loads (id 9 is read after the flags).
    /// </summary>
    [Id(9)]
    public bool MaybeInAccount
    {
        readonly get => Has(MemberFlags.MaybeInAccount);
        set
        {
            if (value)
            {
                Set(MemberFlags.MaybeInAccount);
            }
            else
            {
                Clear(MemberFlags.MaybeInAccount);
            }
        }
    }

    /// <summary>An ActiveCampaign contact id as <see cref="ContactId"/> keeps it; 0 (unknown) for anything but a number that fits.</summary>
    public static uint ContactIdFrom(string? contactId) =>
        uint.TryParse(contactId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;

    public readonly bool IsMember => SegmentMask != 0 && !Has(MemberFlags.SkippedByCap);

    public readonly bool HasData => DataHash != 0;

    public readonly bool Has(MemberFlags flag) => (Flags & flag) != 0;

    public void Set(MemberFlags flag) => Flags |= flag;

    public void Clear(MemberFlags flag) => Flags &= ~flag;
}
