using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.ExportShards;

/// <summary>
/// The contacts of an export shard waiting to be sent: a queue of changed members in order of change, the leases of
/// those taken by the export's delivery loop, their outcomes, and the leases lost with a crash.
/// </summary>
public sealed class ShardOutbox
{
    private readonly ExportShardState _state;
    private readonly TimeProvider _time;
    private readonly RejectionLog _rejections;
    private readonly RetiredAddresses _retired;
    private readonly Queue<int> _dirtyQueue = new();

    // When each lease was taken (in memory: a lease found in storage counts from the shard's activation).
    private readonly Dictionary<int, DateTimeOffset> _leasedAt = [];

    private readonly ShardHeldUnsubscribes _held;
    private DateTimeOffset? _dirtySince;
    private bool _leasesMayBeLost;

    public ShardOutbox(ExportShardState state, TimeProvider time, RejectionLog rejections, RetiredAddresses retired)
    {
        _state = state;
        _time = time;
        _rejections = rejections;
        _retired = retired;
        _held = new ShardHeldUnsubscribes(state.Members, ActionFor);
        for (var slot = 0; slot < Members.Count; slot++)
        {
            if (Members[slot].Has(MemberFlags.Dirty))
            {
                Enqueue(slot);
            }

            if (Members[slot].Has(MemberFlags.Leased))
            {
                _leasedAt[slot] = time.GetUtcNow();
            }
        }

        _dirtySince = _dirtyQueue.Count > 0 ? time.GetUtcNow() : null;
    }

    /// <summary>Upper bound of contacts waiting to be sent (the queue may hold entries that turned out to need nothing).</summary>
    public int PendingEstimate => _dirtyQueue.Count + _retired.Pending;

    /// <summary>Since when the oldest waiting change has waited; null while none waits.</summary>
    public DateTimeOffset? DirtySince => _dirtySince;

    private MemberTable Members => _state.Members;

    private ShardConfig Config => _state.Config ?? throw new InvalidOperationException("The shard has not been configured.");

    /// <summary>What ActiveCampaign needs to hear about the member now, under the export's definition (<see cref="SendPolicy"/>).</summary>
    public ContactAction? ActionFor(in MemberSlot member) => SendPolicy.ActionFor(member, Config.OnLeave, Config.OnErase);

    /// <summary>Erased profiles whose data this shard forgot since it was loaded: their email must leave storage too.</summary>
    public long ErasuresForgotten { get; private set; }

    /// <summary>The erased profile's contact needs nothing more: its data is forgotten.</summary>
    private void ForgetErased(int slot)
    {
        ErasuresForgotten++;
        ref var member = ref Members[slot];
        member.Erasure = ErasureState.Done;
        member.DataHash = 0;
        member.AcceptedHash = 0;
        member.ImportFailures = 0;
        member.Clear(MemberFlags.Failed | MemberFlags.InRun);
        member.MaybeInAccount = false;
        member.ContactId = 0;
        member.LastAcceptedSeconds = 0;
        Members.Forget(slot);
    }

    /// <summary>ActiveCampaign needs nothing now: a run that marked the profile is done with it, and an erasure completes.</summary>
    public void NothingToSend(int slot)
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

    public void MarkDirty(int slot)
    {
        ref var member = ref Members[slot];
        if (member.Has(MemberFlags.Dirty))
        {
            // Queued as a member, it may have left since: the guard counts it from now on.
            _held.NoteQueued(slot);

            // A held slot waits outside the queue: it changed, so it goes back in line (and counts as pending).
            if (_held.Release(slot))
            {
                _dirtySince ??= _time.GetUtcNow();
                Enqueue(slot);
            }

            return;
        }

        if (ActionFor(member) is null)
        {
            NothingToSend(slot);
            return;
        }

        member.Set(MemberFlags.Dirty);
        _dirtySince ??= _time.GetUtcNow();
        Enqueue(slot);
    }

    private void Enqueue(int slot)
    {
        _dirtyQueue.Enqueue(slot);
        _held.NoteQueued(slot);
    }

    /// <summary>
    /// Takes up to <paramref name="max"/> contacts to send, oldest change first. With <paramref name="holdUnsubscribes"/>,
    /// the unsubscribes and deletes the mass-unsubscribe guard may hold wait aside (<see cref="UnsubscribeGuard.IsHoldable"/>);
    /// those held before go back to the queue once they are not held any more (the hold lifted, or the profile came back).
    /// </summary>
    public OutgoingContact[] TakePending(int max, bool holdUnsubscribes)
    {
        foreach (var slot in _held.ReleaseNoLongerHeld(holdUnsubscribes))
        {
            _dirtySince ??= _time.GetUtcNow();
            Enqueue(slot);
        }

        var taken = new List<OutgoingContact>(Math.Min(max, PendingEstimate));
        _retired.Take(taken, max, profileId => Members.Find(profileId) is var slot and >= 0 && Members[slot].Has(MemberFlags.Leased));
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

            var action = ActionFor(member);
            if (action is null)
            {
                NothingToSend(slot);
                continue;
            }

            if (holdUnsubscribes && UnsubscribeGuard.IsHoldable(member, action.Value))
            {
                member.Set(MemberFlags.Dirty);
                _held.Hold(slot);
                continue;
            }

            member.Set(MemberFlags.Leased);
            _leasedAt[slot] = _time.GetUtcNow();
            taken.Add(new OutgoingContact(Members.ProfileId(slot), action.Value, Members.Data(slot)!, member.DataHash,
                member.Has(MemberFlags.SubscribedInAc), member.Has(MemberFlags.InRun), member.ImportFailures));
        }

        if (_dirtyQueue.Count == 0)
        {
            _dirtySince = null;
        }

        return [.. taken];
    }

    /// <inheritdoc cref="ShardHeldUnsubscribes.IsHeld"/>
    public bool IsHeld(int slot) => _held.IsHeld(slot);

    /// <inheritdoc cref="ShardHeldUnsubscribes.CountHoldable"/>
    public long CountHoldable() => _held.CountHoldable();

    /// <returns>How the profiles the running full run is now done with ended.</returns>
    public RunTally Complete(IReadOnlyList<ContactOutcome> outcomes)
    {
        var tally = new RunTally();
        foreach (var outcome in outcomes)
        {
            if (_retired.TryComplete(outcome))
            {
                continue;
            }

            var slot = Members.Find(outcome.ProfileId);
            if (slot < 0 || !Members[slot].Has(MemberFlags.Leased))
            {
                continue;
            }

            ref var member = ref Members[slot];
            var wasInRun = member.Has(MemberFlags.InRun);
            member.Clear(MemberFlags.Leased);
            _leasedAt.Remove(slot);
            if (member.Has(MemberFlags.DeliveryReset))
            {
                // Sent to the list the export used before: what became of it says nothing about the new one.
                member.Clear(MemberFlags.DeliveryReset);
                MarkDirty(slot);
                continue;
            }

            if (outcome.Kind == OutcomeKind.Accepted)
            {
                member.LastAcceptedSeconds = MemberClock.ToSeconds(_time.GetUtcNow());
            }

            if (OutcomeEffects.Apply(ref member, outcome, ActionFor))
            {
                _rejections.Record(outcome.ProfileId, Members.Email(slot), outcome.RejectionKind, outcome.Reason ?? "ActiveCampaign refused the contact");
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
    /// up for gone) changes nothing; after <see cref="ExpectOutcomesOfLostLeases"/>, an outcome of a contact waiting to be
    /// sent counts too, since the lease it answers may have been lost with the crash (a lost lease leaves its contact
    /// waiting: the snapshot before it had it so, or a journaled change made it so). A contact in step is left alone: an
    /// outcome replayed from a journal could only be older than what it has. These are what the shard journals.
    /// </summary>
    public ContactOutcome[] OutcomesOfLeasedContacts(IReadOnlyList<ContactOutcome> outcomes) => Awaited(outcomes, waitingCounts: _leasesMayBeLost);

    /// <summary>A journaled delivery replayed after a crash: its contacts' leases were not journaled, so a contact waiting to be sent counts too.</summary>
    public ContactOutcome[] OutcomesAwaitedAfterCrash(IReadOnlyList<ContactOutcome> outcomes) => Awaited(outcomes, waitingCounts: true);

    /// <summary>Outcomes of a retired address, or of a member leased (or, with <paramref name="waitingCounts"/>, waiting to be sent).</summary>
    private ContactOutcome[] Awaited(IReadOnlyList<ContactOutcome> outcomes, bool waitingCounts) =>
        [.. outcomes.Where(outcome => _retired.Owns(outcome) || Members.Find(outcome.ProfileId) is var slot and >= 0
            && (Members[slot].Has(MemberFlags.Leased) || waitingCounts && Members[slot].Has(MemberFlags.Dirty)))];

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
            if (!_retired.Owns(outcome) && Members.Find(outcome.ProfileId) is var slot and >= 0)
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

    /// <summary>
    /// Puts every leased contact back in the queue (the sender that leased them is gone). It may have sent them: a
    /// contact it sent may exist (<see cref="MemberSlot.MaybeInAccount"/>).
    /// </summary>
    public void ReleaseLeases()
    {
        _leasesMayBeLost = false;
        _leasedAt.Clear();
        _retired.ReleaseLeases();
        for (var slot = 0; slot < Members.Count; slot++)
        {
            if (Members[slot].Has(MemberFlags.Leased))
            {
                Members[slot].Clear(MemberFlags.Leased);
                Members[slot].MaybeInAccount |= Members[slot].HasData;

                MarkDirty(slot);
            }
        }
    }

    /// <summary>
    /// Takes back contacts leased at least <paramref name="timeout"/> ago with no outcome (the answer to TakePending or
    /// the outcome was lost): pending again, and possibly in the account, since they may have been sent.
    /// </summary>
    /// <returns>How many were taken back.</returns>
    public int ExpireLeases(TimeSpan timeout)
    {
        var now = _time.GetUtcNow();
        var expired = _leasedAt.Where(lease => now - lease.Value >= timeout).Select(lease => lease.Key).ToList();
        foreach (var slot in expired)
        {
            _leasedAt.Remove(slot);
            ref var member = ref Members[slot];
            if (member.Has(MemberFlags.Leased))
            {
                member.Clear(MemberFlags.Leased | MemberFlags.DeliveryReset);
                member.MaybeInAccount |= member.HasData;
                MarkDirty(slot);
            }
        }

        return expired.Count;
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
        _retired.Clear();
        for (var slot = 0; slot < Members.Count; slot++)
        {
            ref var member = ref Members[slot];
            // Opt-outs are per list: what counts now is the contact's status on the new list.
            member.Clear(MemberFlags.SubscribedInAc | MemberFlags.UnsubscribedInAc | MemberFlags.Failed | MemberFlags.OptedOut);
            member.MaybeInAccount = false;
            member.AcceptedHash = 0;
            member.ImportFailures = 0;
            if (member.Has(MemberFlags.Leased))
            {
                member.Set(MemberFlags.DeliveryReset);
            }

            MarkDirty(slot);
        }
    }
}
