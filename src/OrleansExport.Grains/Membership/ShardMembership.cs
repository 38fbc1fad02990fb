namespace OrleansExport.Grains.Membership;

/// <summary>
/// What one export shard decides, with no Orleans in it: membership as the union of the export's
/// segments (each segment shard has already ordered and deduplicated its own events), the newest
/// data wins across segments, coalescing into one pending change per profile, payload hash against
/// what ActiveCampaign accepted, caps, leaves and re-joins, and the effects of a changed definition.
/// </summary>
public sealed class ShardMembership
{
    public const int MaxRejectionsKept = 1000;

    private readonly ShardState _state;
    private readonly TimeProvider _time;
    private readonly Queue<int> _dirtyQueue = new();
    private DateTimeOffset? _dirtySince;
    private bool _capacityFreed;
    private bool _leasesMayBeLost;

    public ShardMembership(ShardState state, TimeProvider time)
    {
        _state = state;
        _time = time;
        for (var slot = 0; slot < Members.Count; slot++)
        {
            if (Members[slot].Has(MemberFlags.Dirty))
            {
                _dirtyQueue.Enqueue(slot);
            }
        }

        _dirtySince = _dirtyQueue.Count > 0 ? time.GetUtcNow() : null;
    }

    public ShardState State => _state;

    private MemberTable Members => _state.Members;

    private ShardConfig Config => _state.Config ?? throw new InvalidOperationException("The shard has not been configured.");

    /// <summary>Upper bound of contacts waiting to be sent (the queue may hold entries that turned out to need nothing).</summary>
    public int PendingEstimate => _dirtyQueue.Count;

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

    /// <summary>
    /// Capacity to give back to the export after a batch or a definition change in which members left (or were
    /// erased): all the shard's unused slots, so that a cap freed here can be used by profiles of other shards. Zero
    /// otherwise. Deterministic, so a replayed batch leaves the shard as it was.
    /// </summary>
    public long ReleaseFreedCapacity()
    {
        if (!_capacityFreed || _state.CapacityLeft <= 0)
        {
            _capacityFreed = false;
            return 0;
        }

        _capacityFreed = false;
        var released = _state.CapacityLeft;
        _state.CapacityLeft = 0;
        return released;
    }

    public ShardApplyResult Apply(IReadOnlyList<SegmentEvent> events)
    {
        _state.EventsReceived += events.Count;
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

        return new ShardApplyResult(applied, duplicates, stale, rejected, _dirtyQueue.Count);
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

                    Reject(e.ProfileId, e.Attributes is not null && e.Attributes.TryGetValue(Config.Mapping.Email, out var email) ? email : null, failure!.Kind, failure.Reason);

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

                MarkDirty(slot);
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
                MarkDirty(slot);
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
            _state.CapacityLeft++;
            _capacityFreed = true;
        }

        member.SegmentMask = 0;
        member.Clear(MemberFlags.SkippedByCap | MemberFlags.Failed);
        member.Erasure = ErasureState.Pending;
        _state.Erased++;
        _state.RecentRejections.RemoveAll(r => r.ProfileId == e.ProfileId);
        MarkDirty(slot);
        return ApplyOutcome.Applied;
    }

    /// <summary>The erased profile's contact needs nothing more: its data is forgotten.</summary>
    private void ForgetErased(int slot)
    {
        ref var member = ref Members[slot];
        member.Erasure = ErasureState.Done;
        member.DataHash = 0;
        member.AcceptedHash = 0;
        member.ImportFailures = 0;
        member.Clear(MemberFlags.Failed | MemberFlags.InRun);
        Members.Forget(slot);
    }

    /// <summary>ActiveCampaign needs nothing now: a run that marked the profile is done with it, and an erasure completes.</summary>
    private void NothingToSend(int slot)
    {
        ref var member = ref Members[slot];
        if (member.Has(MemberFlags.Leased))
        {
            return;
        }

        member.Clear(MemberFlags.InRun);
        if (member.Erasure == ErasureState.Pending)
        {
            ForgetErased(slot);
        }
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

        if (_state.CapacityLeft <= 0)
        {
            if (!member.Has(MemberFlags.SkippedByCap))
            {
                member.Set(MemberFlags.SkippedByCap);
                Reject(profileId, email, RejectionKind.OverCap, "over the profile cap: not sent", countAsRejected: false);
            }

            return false;
        }

        _state.CapacityLeft--;
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
                _state.CapacityLeft++;
                _capacityFreed = true;
            }
        }
    }

    private void SetData(int slot, ContactData data)
    {
        var hash = ProfileHash.Of(data);
        ref var member = ref Members[slot];
        if (hash == member.DataHash)
        {
            // Same data as stored: nothing to rewrite.
            return;
        }

        member.Clear(MemberFlags.Failed);
        member.ImportFailures = 0;
        member.DataHash = hash;
        Members.SetData(slot, data);
    }

    private void MarkDirty(int slot)
    {
        ref var member = ref Members[slot];
        if (member.Has(MemberFlags.Dirty))
        {
            return;
        }

        if (DesiredAction(member) is null)
        {
            NothingToSend(slot);
            return;
        }

        member.Set(MemberFlags.Dirty);
        _dirtySince ??= _time.GetUtcNow();
        _dirtyQueue.Enqueue(slot);
    }

    /// <summary>What ActiveCampaign needs to hear about this profile now, if anything.</summary>
    private ContactAction? DesiredAction(in MemberSlot member)
    {
        if (!member.HasData)
        {
            return null;
        }

        if (member.Erasure == ErasureState.Pending)
        {
            return ErasureAction(member);
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

        if (Config.OnLeave != LeaveAction.Unsubscribe || member.Has(MemberFlags.SkippedByCap))
        {
            return null;
        }

        // Only a contact we subscribed is unsubscribed: never create a contact for someone never exported.
        var subscribed = member.Has(MemberFlags.SubscribedInAc);
        var alreadyUnsubscribed = member.Has(MemberFlags.UnsubscribedInAc);
        return subscribed && !alreadyUnsubscribed || inRun && (subscribed || alreadyUnsubscribed) ? ContactAction.Unsubscribe : null;
    }

    /// <summary>
    /// An erased profile's contact, whatever onLeave says: unsubscribed (unless it already is), or deleted with
    /// onErase=delete. Only a contact ActiveCampaign has from us; none after a failed attempt (the data goes all the same).
    /// </summary>
    private ContactAction? ErasureAction(in MemberSlot member)
    {
        var inAccount = member.Has(MemberFlags.SubscribedInAc) || member.Has(MemberFlags.UnsubscribedInAc);
        if (!inAccount || member.Has(MemberFlags.Failed))
        {
            return null;
        }

        return Config.OnErase == EraseAction.Delete ? ContactAction.Delete
            : member.Has(MemberFlags.UnsubscribedInAc) ? null : ContactAction.Unsubscribe;
    }

    /// <summary>Takes up to <paramref name="max"/> contacts to send, oldest change first.</summary>
    public OutgoingContact[] TakePending(int max)
    {
        var taken = new List<OutgoingContact>(Math.Min(max, _dirtyQueue.Count));
        while (taken.Count < max && _dirtyQueue.TryDequeue(out var slot))
        {
            ref var member = ref Members[slot];
            if (!member.Has(MemberFlags.Dirty))
            {
                continue;
            }

            member.Clear(MemberFlags.Dirty);
            if (member.Has(MemberFlags.Leased))
            {
                // Still in flight: its outcome will requeue it if the data moved on meanwhile.
                continue;
            }

            var action = DesiredAction(member);
            if (action is null)
            {
                NothingToSend(slot);
                continue;
            }

            member.Set(MemberFlags.Leased);
            taken.Add(new OutgoingContact(Members.ProfileId(slot), action.Value, Members.Data(slot)!, member.DataHash,
                member.Has(MemberFlags.SubscribedInAc), member.Has(MemberFlags.InRun), member.ImportFailures));
        }

        if (_dirtyQueue.Count == 0)
        {
            _dirtySince = null;
        }

        return [.. taken];
    }

    /// <returns>How the profiles the running full run is now done with ended.</returns>
    public RunTally Complete(IReadOnlyList<ContactOutcome> outcomes)
    {
        var tally = new RunTally();
        foreach (var outcome in outcomes)
        {
            var slot = Members.Find(outcome.ProfileId);
            if (slot < 0 || !Members[slot].Has(MemberFlags.Leased))
            {
                continue;
            }

            ref var member = ref Members[slot];
            var wasInRun = member.Has(MemberFlags.InRun);
            member.Clear(MemberFlags.Leased);
            if (member.Has(MemberFlags.DeliveryReset))
            {
                // Sent to the list the export used before: what became of it says nothing about the new one.
                member.Clear(MemberFlags.DeliveryReset);
                MarkDirty(slot);
                continue;
            }

            switch (outcome.Kind)
            {
                case OutcomeKind.Accepted when outcome.Action == ContactAction.Delete:
                    member.Clear(MemberFlags.SubscribedInAc | MemberFlags.UnsubscribedInAc);
                    member.AcceptedHash = 0;
                    break;
                case OutcomeKind.Failed when member.Erasure == ErasureState.Pending:
                    // No rejection keeps an erased profile's email; a failed unsubscribe or delete is not tried again.
                    member.Clear(MemberFlags.InRun);
                    if (outcome.Action is ContactAction.Unsubscribe or ContactAction.Delete)
                    {
                        member.Set(MemberFlags.Failed);
                    }

                    break;
                case OutcomeKind.Accepted when outcome.Action == ContactAction.Unsubscribe:
                    member.Clear(MemberFlags.SubscribedInAc);
                    member.Set(MemberFlags.UnsubscribedInAc);
                    member.AcceptedHash = 0;
                    member.ImportFailures = 0;
                    break;
                case OutcomeKind.Accepted:
                    member.Clear(MemberFlags.UnsubscribedInAc | MemberFlags.Failed);
                    member.Set(MemberFlags.SubscribedInAc);
                    member.AcceptedHash = outcome.Hash;
                    member.ImportFailures = 0;
                    break;
                case OutcomeKind.FailedInImport when outcome.Hash == member.DataHash:
                    // Sent again below; the sender turns it into a final failure after enough tries.
                    member.ImportFailures = (byte)Math.Min(byte.MaxValue, member.ImportFailures + 1);
                    break;
                case OutcomeKind.Failed:
                    // The run counts it as failed; it is not retried until its data changes.
                    member.Clear(MemberFlags.InRun);
                    if (outcome.Hash == member.DataHash)
                    {
                        member.Set(MemberFlags.Failed);
                    }

                    Reject(outcome.ProfileId, Members.Email(slot), outcome.RejectionKind, outcome.Reason ?? "ActiveCampaign refused the contact");
                    break;
            }

            if (outcome.Kind == OutcomeKind.Accepted && member.Has(MemberFlags.InRun))
            {
                // The run is done with this profile only once ActiveCampaign has what it needs now
                // (the profile may have changed, left or re-joined while the contact was in flight).
                member.Clear(MemberFlags.InRun);
                if (DesiredAction(member) is not null)
                {
                    member.Set(MemberFlags.InRun);
                }
            }

            if (wasInRun && !member.Has(MemberFlags.InRun))
            {
                tally.Count(outcome);
            }

            MarkDirty(slot);
        }

        return tally;
    }

    /// <summary>
    /// The outcomes to complete: those of contacts leased now. An outcome for a lease released since (its sender was given
    /// up for gone) changes nothing; after <see cref="ExpectOutcomesOfLostLeases"/>, every outcome of a contact the shard
    /// holds counts, since the lease it answers may have been lost with the crash. These are what the shard journals.
    /// </summary>
    public ContactOutcome[] OutcomesOfLeasedContacts(IReadOnlyList<ContactOutcome> outcomes) =>
        [.. outcomes.Where(outcome => Members.Find(outcome.ProfileId) is var slot and >= 0 && (_leasesMayBeLost || Members[slot].Has(MemberFlags.Leased)))];

    /// <summary>
    /// Completes outcomes known to answer leases of this shard: those <see cref="OutcomesOfLeasedContacts"/> kept, or a
    /// journaled completion being replayed. Taking contacts is not journaled, so the lease may be missing from the state
    /// recovered from storage: each contact named counts as leased again, then completes as <see cref="Complete"/> decides
    /// (a contact whose data changed since stays pending).
    /// </summary>
    public RunTally CompleteTaken(IReadOnlyList<ContactOutcome> outcomes)
    {
        foreach (var outcome in outcomes)
        {
            if (Members.Find(outcome.ProfileId) is var slot and >= 0)
            {
                Members[slot].Set(MemberFlags.Leased);
            }
        }

        return Complete(outcomes);
    }

    /// <summary>
    /// The shard came back from storage while its export's delivery loop may still hold contacts it took: they are sent,
    /// and their outcomes will come, but the leases of those taken since the snapshot are gone. Until the export releases
    /// every lease (<see cref="ReleaseLeases"/>, when its own activation starts over) or the list changes, an outcome for a
    /// contact that is not leased here is taken as the answer to such a lost lease, rather than sending the contact again.
    /// </summary>
    public void ExpectOutcomesOfLostLeases() => _leasesMayBeLost = true;

    /// <summary>Puts every leased contact back in the queue (the sender that leased them is gone).</summary>
    public void ReleaseLeases()
    {
        _leasesMayBeLost = false;
        for (var slot = 0; slot < Members.Count; slot++)
        {
            if (Members[slot].Has(MemberFlags.Leased))
            {
                Members[slot].Clear(MemberFlags.Leased);
                MarkDirty(slot);
            }
        }
    }

    /// <summary>Marks every member, and every unsubscribed-through-us profile, to be sent again.</summary>
    public long BeginRun(string runId)
    {
        if (_state.RunId == runId)
        {
            return CountInRun();
        }

        _state.RunId = runId;
        for (var slot = 0; slot < Members.Count; slot++)
        {
            ref var member = ref Members[slot];
            member.Clear(MemberFlags.Failed);
            member.ImportFailures = 0;
            member.Set(MemberFlags.InRun);
            if (DesiredAction(member) is null)
            {
                member.Clear(MemberFlags.InRun);
                continue;
            }

            MarkDirty(slot);
        }

        return CountInRun();
    }

    public void CancelRun(string runId)
    {
        if (_state.RunId != runId)
        {
            return;
        }

        _state.RunId = null;
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

    public ShardCounters GetCounters()
    {
        long members = 0, pending = 0, inSync = 0, skipped = 0, inRun = 0;
        for (var slot = 0; slot < Members.Count; slot++)
        {
            ref readonly var member = ref Members[slot];
            if (member.Has(MemberFlags.InRun))
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

        return new ShardCounters(members, pending, inSync, _state.RejectedTotal, skipped, inRun, _dirtySince,
            Members.AllocatedBytes + (long)_dirtyQueue.Count * sizeof(int), _state.EventsReceived, _state.Erased);
    }

    /// <summary>The newest <paramref name="limit"/> kept rejections of <paramref name="kind"/> (or of every kind), <see cref="RejectionGrouping.NewestFirst"/>.</summary>
    public IReadOnlyList<Rejection> GetRejections(RejectionKind? kind, int limit) =>
        RejectionGrouping.NewestFirst([_state.RecentRejections.Where(r => kind is null || r.Kind == kind).Reverse()]).Take(limit).ToList();

    public ShardRejections GetRejectionSummary() =>
        RejectionGrouping.ForShard(_state.RecentRejections, _state.RejectionCounts, RejectionGrouping.ExamplesPerKind);

    /// <summary>
    /// Sets the export's definition as the shard needs it. Members keep their place in segments that stay
    /// (segments may be reordered); those in none of the remaining segments leave, and onLeave applies.
    /// A changed mapping takes effect as the segments send their members again.
    /// </summary>
    public void Configure(ShardConfig config)
    {
        var previous = _state.Config;
        _state.Config = config;
        if (previous is null || previous.SegmentIds.SequenceEqual(config.SegmentIds))
        {
            return;
        }

        var newBits = previous.SegmentIds.Select(segment => IndexOf(config.SegmentIds, segment) is var i and >= 0 ? 1UL << i : 0).ToArray();
        for (var slot = 0; slot < Members.Count; slot++)
        {
            ref var member = ref Members[slot];
            ulong mask = 0;
            for (var i = 0; i < newBits.Length; i++)
            {
                if ((member.SegmentMask & (1UL << i)) != 0)
                {
                    mask |= newBits[i];
                }
            }

            if (mask == member.SegmentMask)
            {
                continue;
            }

            var wasMember = member.IsMember;
            member.SegmentMask = mask;
            if (mask == 0)
            {
                member.Clear(MemberFlags.SkippedByCap);
                if (wasMember)
                {
                    _state.CapacityLeft++;
                    _capacityFreed = true;
                }

                MarkDirty(slot);
            }
        }
    }

    /// <summary>
    /// The export now sends to another list: nothing is known to be there, so every member is pending for
    /// it (profiles that left are not unsubscribed from a list they were never on). A contact in flight to
    /// the old list is sent again once its outcome is back.
    /// </summary>
    public void ResetDelivery()
    {
        // An outcome of a lease lost before would be about the old list.
        _leasesMayBeLost = false;
        for (var slot = 0; slot < Members.Count; slot++)
        {
            ref var member = ref Members[slot];
            member.Clear(MemberFlags.SubscribedInAc | MemberFlags.UnsubscribedInAc | MemberFlags.Failed);
            member.AcceptedHash = 0;
            member.ImportFailures = 0;
            if (member.Has(MemberFlags.Leased))
            {
                member.Set(MemberFlags.DeliveryReset);
            }

            MarkDirty(slot);
        }
    }

    public void AddCapacity(long slots) => _state.CapacityLeft += slots;

    private void Reject(string profileId, string? email, RejectionKind kind, string reason, bool countAsRejected = true)
    {
        if (countAsRejected)
        {
            _state.RejectedTotal++;
        }

        _state.RejectionCounts[kind] = _state.RejectionCounts.GetValueOrDefault(kind) + 1;

        var rejections = _state.RecentRejections;
        if (rejections.Count >= MaxRejectionsKept)
        {
            rejections.RemoveRange(0, rejections.Count - MaxRejectionsKept + 1);
        }

        rejections.Add(new Rejection(profileId, email, reason, _time.GetUtcNow(), kind));
    }

    private int IndexOfSegment(string segmentId) => IndexOf(Config.SegmentIds, segmentId);

    private static int IndexOf(IReadOnlyList<string> segments, string segmentId)
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

/// <summary>Profiles a full run is done with, by how their last contact ended.</summary>
public struct RunTally
{
    public int Sent;
    public int Unsubscribed;
    public int Failed;

    public void Count(ContactOutcome outcome)
    {
        switch (outcome.Kind, outcome.Action)
        {
            case (OutcomeKind.Accepted, ContactAction.Unsubscribe or ContactAction.Delete): Unsubscribed++; break;
            case (OutcomeKind.Accepted, _): Sent++; break;
            case (OutcomeKind.Failed, _): Failed++; break;
        }
    }
}
