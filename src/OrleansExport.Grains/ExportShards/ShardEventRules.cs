using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.ExportShards;

/// <summary>
/// How an export shard applies the changes its segments send: membership as the union of the export's segments
/// (each segment shard has already ordered and deduplicated its own events), the newest data wins across segments,
/// one pending change per profile, the cap, leaves and re-joins, and erasure.
/// </summary>
public sealed class ShardEventRules(ExportShardState state, ShardOutbox outbox, ShardCapacity capacity, RejectionLog rejections, RetiredAddresses retired)
{
    private MemberTable Members => state.Members;

    private ShardConfig Config => state.Config ?? throw new InvalidOperationException("The shard has not been configured.");

    /// <summary>
    /// How many profiles in <paramref name="events"/> would become new members: capacity to lease first. A join whose
    /// mapped email is missing or invalid is rejected, so it is not counted: it must not hold a slot of the cap.
    /// </summary>
    public int CountPotentialNewMembers(IReadOnlyList<SegmentEvent> events)
    {
        var count = 0;
        foreach (var e in events)
        {
            if (e.Type is SegmentEventType.Joined or SegmentEventType.Updated && (Members.Find(e.ProfileId) is var slot && (slot < 0 || !Members[slot].IsMember))
                && ContactMapper.HasValidEmail(e.Attributes, Config.Mapping))
            {
                count++;
            }
        }

        return count;
    }

    public ShardApplyResult Apply(IReadOnlyList<SegmentEvent> events)
    {
        state.EventsReceived += events.Count;
        int applied = 0, duplicates = 0, stale = 0, rejected = 0;
        foreach (var e in events)
        {
            switch (ApplyOne(e))
            {
                case ApplyOutcome.Applied: applied++; break;
                case ApplyOutcome.Duplicate: duplicates++; break;
                case ApplyOutcome.Stale: stale++; break;
                case ApplyOutcome.Rejected: rejected++; break;
            }
        }

        return new ShardApplyResult(applied, duplicates, stale, rejected, outbox.PendingEstimate);
    }

    private enum ApplyOutcome { Applied, Duplicate, Stale, Ignored, Rejected }

    private ApplyOutcome ApplyOne(SegmentEvent e)
    {
        if (e.Type == SegmentEventType.Erased)
        {
            // Whichever segment forwarded it: the profile may be here from a segment the export no longer takes.
            return Erase(e);
        }

        var segmentIndex = IndexOfSegment(e.SegmentId);
        if (segmentIndex < 0)
        {
            return ApplyOutcome.Ignored;
        }

        var ticks = e.OccurredAt.UtcTicks;
        var eventHash = ProfileHash.Of(e.EventId);
        var slot = Members.Find(e.ProfileId);
        if (slot >= 0 && Members[slot].LastEventHash == eventHash)
        {
            return ApplyOutcome.Duplicate;
        }

        // Membership of a segment is that segment's verdict; the data is the newest any segment has sent.
        var newest = slot < 0 || ticks >= Members[slot].LastOccurredTicks;
        switch (e.Type)
        {
            case SegmentEventType.Joined or SegmentEventType.Updated when slot >= 0 && Members[slot].Erasure != ErasureState.None && ticks <= Members[slot].LastOccurredTicks:
                // Not newer than its erasure (a replay, a late or same-time event): it must not bring the profile back.
                return ApplyOutcome.Stale;

            case SegmentEventType.Joined or SegmentEventType.Updated:
            {
                var data = ContactMapper.Map(e.Attributes, Config.Mapping, out var failure);
                if (data is null)
                {
                    if (!newest)
                    {
                        return ApplyOutcome.Stale;
                    }

                    rejections.Record(e.ProfileId, e.Attributes is not null && e.Attributes.TryGetValue(Config.Mapping.Email, out var email) ? email : null, failure!.Kind, failure.Reason);

                    // Remembered (without data) so that a repeat of this event is a duplicate, not a second rejection.
                    slot = slot >= 0 ? slot : Members.Add(e.ProfileId);
                    Stamp(ref Members[slot], ticks, eventHash);
                    return ApplyOutcome.Rejected;
                }

                slot = slot >= 0 ? slot : Members.Add(e.ProfileId);
                if (newest)
                {
                    Stamp(ref Members[slot], ticks, eventHash);
                }

                if (!Join(ref Members[slot], segmentIndex, e.ProfileId, data.Email))
                {
                    return ApplyOutcome.Rejected;
                }

                if (newest)
                {
                    Members[slot].Erasure = ErasureState.None;
                    SetData(slot, data);
                }

                outbox.MarkDirty(slot);
                return newest ? ApplyOutcome.Applied : ApplyOutcome.Stale;
            }

            case SegmentEventType.Left when slot >= 0:
            {
                ref var member = ref Members[slot];
                if (newest)
                {
                    Stamp(ref member, ticks, eventHash);
                }

                Leave(ref member, segmentIndex);
                outbox.MarkDirty(slot);
                return ApplyOutcome.Applied;
            }

            default:
                // A leave of a profile this export never had allocates nothing.
                return ApplyOutcome.Ignored;
        }
    }

    /// <summary>
    /// Right to erasure: the profile leaves (its slot of the cap is freed), its rejections are dropped, and once its
    /// contact is unsubscribed (or deleted, with onErase=delete) its data is forgotten. A contact never sent is
    /// forgotten at once. Only the slot's clock stays, so that older events cannot bring the profile back.
    /// </summary>
    private ApplyOutcome Erase(SegmentEvent e)
    {
        var slot = Members.Find(e.ProfileId);
        if (slot < 0)
        {
            return ApplyOutcome.Ignored;
        }

        ref var member = ref Members[slot];
        var eventHash = ProfileHash.Of(e.EventId);
        if (member.LastEventHash == eventHash)
        {
            return ApplyOutcome.Duplicate;
        }

        Stamp(ref member, Math.Max(e.OccurredAt.UtcTicks, member.LastOccurredTicks), eventHash);
        if (member.Erasure == ErasureState.Done)
        {
            return ApplyOutcome.Applied;
        }

        if (member.IsMember)
        {
            capacity.Free();
        }

        member.SegmentMask = 0;
        member.Clear(MemberFlags.SkippedByCap | MemberFlags.Failed);
        member.Erasure = ErasureState.Pending;
        state.Erased++;
        rejections.Forget(e.ProfileId);
        outbox.MarkDirty(slot);
        return ApplyOutcome.Applied;
    }

    private static void Stamp(ref MemberSlot member, long ticks, ulong eventHash)
    {
        member.LastOccurredTicks = ticks;
        member.LastEventHash = eventHash;
    }

    /// <returns>false when the profile is over the cap.</returns>
    private bool Join(ref MemberSlot member, int segmentIndex, string profileId, string email)
    {
        var wasMember = member.IsMember;
        member.SegmentMask |= 1UL << segmentIndex;
        if (wasMember)
        {
            return true;
        }

        if (!capacity.TryTake())
        {
            if (!member.Has(MemberFlags.SkippedByCap))
            {
                member.Set(MemberFlags.SkippedByCap);
                rejections.Record(profileId, email, RejectionKind.OverCap, "over the profile cap: not sent", countAsRejected: false);
            }

            return false;
        }

        member.Clear(MemberFlags.SkippedByCap);
        return true;
    }

    private void Leave(ref MemberSlot member, int segmentIndex)
    {
        var wasMember = member.IsMember;
        member.SegmentMask &= ~(1UL << segmentIndex);
        if (member.SegmentMask == 0)
        {
            member.Clear(MemberFlags.SkippedByCap);
            if (wasMember)
            {
                capacity.Free();
            }
        }
    }

    private void SetData(int slot, ContactData data)
    {
        var hash = ProfileHash.Of(data, Config.Mapping.Fields);
        ref var member = ref Members[slot];
        if (hash == member.DataHash)
        {
            // Same data as stored: nothing to rewrite.
            return;
        }

        if (member.HasData && Members.Email(slot) is { } previous && !string.Equals(previous, data.Email, StringComparison.OrdinalIgnoreCase))
        {
            MoveToNewAddress(slot, previous, data.Email);
        }

        member.Clear(MemberFlags.Failed);
        member.ImportFailures = 0;
        member.DataHash = hash;
        Members.SetData(slot, data);
    }

    /// <summary>
    /// The member's email changed: the contact at the old address leaves the list whatever onLeave says (it may be
    /// there if ActiveCampaign accepted it, or a send of it is in flight), and nothing ActiveCampaign holds is about
    /// the new address, so it is subscribed as a new contact. An outcome still in flight is about the old address.
    /// </summary>
    private void MoveToNewAddress(int slot, string previous, string current)
    {
        ref var member = ref Members[slot];
        var profileId = Members.ProfileId(slot);
        retired.Unretire(profileId, current);
        if (member.Has(MemberFlags.SubscribedInAc) || member.Has(MemberFlags.Leased) || member.MaybeInAccount)
        {
            retired.Retire(profileId, previous);
        }

        member.Clear(MemberFlags.SubscribedInAc | MemberFlags.UnsubscribedInAc);
        member.MaybeInAccount = false;
        member.AcceptedHash = 0;
        if (member.Has(MemberFlags.Leased))
        {
            member.Set(MemberFlags.DeliveryReset);
        }
    }

    private int IndexOfSegment(string segmentId) => IndexOf(Config.SegmentIds, segmentId);

    public static int IndexOf(IReadOnlyList<string> segments, string segmentId)
    {
        for (var i = 0; i < segments.Count; i++)
        {
            if (segments[i] == segmentId)
            {
                return i;
            }
        }

        return -1;
    }
}
