using OrleansExport.Grains.Members;


namespace OrleansExport.Grains.Segments;

/// <summary>
/// The rules of one segment shard, with no Orleans in it: a repeated eventId is dropped, the newest
/// occurredAt wins per profile, snapshots remove members they did not name, and each member's latest
/// attributes are kept. <see cref="Apply"/> returns what the segment's exports must hear.
/// </summary>
/// <param name="snapshotGrace">
/// How long after <c>snapshotCompleted</c> arrives its removals wait (<see cref="RemoveDue"/>): its own joins travel on
/// other partitions and may come later. Zero removes at once.
/// </param>
public sealed class SegmentMembership(SegmentShardState state, TimeProvider? time = null, TimeSpan snapshotGrace = default)
{
    /// <summary>Snapshots whose joins came before their start that a shard remembers (<see cref="SegmentShardState.EarlySnapshots"/>).</summary>
    public const int MaxEarlySnapshots = 2;

    private const ulong Member = 1;

    private MemberTable Members => state.Members;

    public long MemberCount => state.MemberCount;

    /// <summary>Applies a batch in order.</summary>
    /// <returns>The events the exports must apply: every change, and repeats of a member's latest event (an export may have missed it before a crash).</returns>
    public SegmentBatchOutcome Apply(IReadOnlyList<SegmentEvent> events)
    {
        var outcome = new SegmentBatchOutcome();
        foreach (var e in events)
        {
            ApplyOne(e, outcome);
            if (e.SnapshotId is { } snapshotId && e.Type is not (SegmentEventType.SnapshotStarted or SegmentEventType.SnapshotCompleted)
                && Members.Find(e.ProfileId) is var slot and >= 0 && Members[slot].SegmentMask == Member)
            {
                // Named by the snapshot (also before its start or after its completion arrived), even if the event itself is
                // a duplicate or older than what we have. Only members are remembered (only they can be removed), so a set
                // never outgrows the segment.
                (FindSnapshot(snapshotId) ?? EarlySnapshot(snapshotId)).Seen.Add(e.ProfileId);
            }
        }

        return outcome;
    }

    private void ApplyOne(SegmentEvent e, SegmentBatchOutcome outcome)
    {
        var ticks = e.OccurredAt.UtcTicks;
        switch (e.Type)
        {
            case SegmentEventType.SnapshotStarted:
                StartSnapshot(e.SnapshotId!, ticks);
                outcome.Applied++;
                return;
            case SegmentEventType.SnapshotCompleted:
                CompleteSnapshot(e, outcome);
                return;
        }

        if (e.Type == SegmentEventType.Erased)
        {
            Erase(e, outcome);
            return;
        }

        var eventHash = ProfileHash.Of(e.EventId);
        var slot = Members.Find(e.ProfileId);
        if (slot >= 0)
        {
            ref var known = ref Members[slot];
            if (known.LastEventHash == eventHash)
            {
                // The state already reflects it; an export may not (it applies after a crash's redelivery) and drops its own repeats.
                outcome.Duplicates++;
                outcome.Forward.Add(e);
                return;
            }

            // After an erasure a tie is stale too: only a strictly newer event (a new sign-up) brings the profile back.
            if (ticks < known.LastOccurredTicks || (known.Erasure != ErasureState.None && ticks == known.LastOccurredTicks))
            {
                outcome.Stale++;
                return;
            }
        }

        if (slot < 0 && e.Type == SegmentEventType.Joined && state.RecentLeaves.LeftAfter(ProfileHash.Of(e.ProfileId), ticks))
        {
            // Its own later `left` overtook it.
            outcome.Stale++;
            return;
        }

        var isMember = slot >= 0 && Members[slot].SegmentMask == Member;
        switch (e.Type)
        {
            case SegmentEventType.Joined:
            case SegmentEventType.Updated when isMember:
                slot = slot >= 0 ? slot : Members.Add(e.ProfileId);
                Stamp(slot, ticks, eventHash);
                if (!isMember)
                {
                    Members[slot].SegmentMask = Member;
                    Members[slot].Erasure = ErasureState.None;
                    state.MemberCount++;
                }

                Members.SetAttributes(slot, e.Attributes);
                break;

            case SegmentEventType.Left when slot >= 0:
                // A profile that is not known allocates nothing; one that already left only moves its clock.
                Stamp(slot, ticks, eventHash);
                if (!isMember)
                {
                    outcome.Ignored++;
                    return;
                }

                Leave(slot);
                break;

            case SegmentEventType.Left:
                // A profile never seen allocates nothing; the leave is only remembered in a fixed table.
                state.RecentLeaves.Record(ProfileHash.Of(e.ProfileId), ticks);
                outcome.Ignored++;
                return;

            default:
                // An update for a profile that is not a member changes nothing.
                outcome.Ignored++;
                return;
        }

        outcome.Applied++;
        outcome.Forward.Add(e);
    }

    /// <summary>The joins it named before its start arrived count; a repeated start keeps those it named since.</summary>
    private void StartSnapshot(string snapshotId, long ticks)
    {
        var named = state.Snapshot?.SnapshotId == snapshotId ? state.Snapshot.Seen : new HashSet<string>(StringComparer.Ordinal);
        if (state.EarlySnapshots.Find(s => s.SnapshotId == snapshotId) is { } early)
        {
            state.EarlySnapshots.Remove(early);
            named.UnionWith(early.Seen);
        }

        state.Snapshot = new SnapshotProgress { SnapshotId = snapshotId, StartedTicks = ticks, Seen = named };
    }

    /// <summary>
    /// Who a snapshot whose start has not arrived yet named: its markers travel on another partition than its joins. Only
    /// the newest <see cref="MaxEarlySnapshots"/> are kept, so joins of a snapshot that never starts (or whose removals
    /// are long done) cost a bounded amount.
    /// </summary>
    private SnapshotProgress EarlySnapshot(string snapshotId)
    {
        if (state.EarlySnapshots.Find(s => s.SnapshotId == snapshotId) is { } early)
        {
            return early;
        }

        if (state.EarlySnapshots.Count == MaxEarlySnapshots)
        {
            state.EarlySnapshots.RemoveAt(0);
        }

        early = new SnapshotProgress { SnapshotId = snapshotId };
        state.EarlySnapshots.Add(early);
        return early;
    }

    /// <summary>When the earliest completed snapshot's removals are due; null when none waits.</summary>
    public DateTimeOffset? NextRemovalDue => state.CompletedSnapshots.Count == 0 ? null : state.CompletedSnapshots.Min(s => s.RemoveAfter);

    /// <summary>
    /// A completed snapshot waits for its grace (<see cref="RemoveDue"/>); joins that carry its id still count as
    /// named meanwhile. A snapshot that never completes removes nobody.
    /// </summary>
    private void CompleteSnapshot(SegmentEvent completed, SegmentBatchOutcome outcome)
    {
        if (state.Snapshot is not { } snapshot || snapshot.SnapshotId != completed.SnapshotId)
        {
            outcome.Ignored++;
            return;
        }

        state.Snapshot = null;
        outcome.Applied++;
        snapshot.CompletedTicks = completed.OccurredAt.UtcTicks;
        snapshot.RemoveAfter = (time ?? TimeProvider.System).GetUtcNow() + snapshotGrace;
        if (snapshotGrace <= TimeSpan.Zero)
        {
            RemoveUnnamed(snapshot, completed.SegmentId, outcome);
            return;
        }

        state.CompletedSnapshots.Add(snapshot);
    }

    /// <summary>Removes the members of every completed snapshot whose grace has passed that it did not name.</summary>
    /// <returns>The leaves the exports must apply.</returns>
    public SegmentBatchOutcome RemoveDue(string segmentId)
    {
        var outcome = new SegmentBatchOutcome();
        var now = (time ?? TimeProvider.System).GetUtcNow();
        foreach (var snapshot in state.CompletedSnapshots.Where(s => s.RemoveAfter <= now).ToList())
        {
            state.CompletedSnapshots.Remove(snapshot);
            RemoveUnnamed(snapshot, segmentId, outcome);
        }

        return outcome;
    }

    /// <summary>Members the snapshot did not name, and that have not changed since it started, leave.</summary>
    private void RemoveUnnamed(SnapshotProgress snapshot, string segmentId, SegmentBatchOutcome outcome)
    {
        var completedAt = new DateTimeOffset(snapshot.CompletedTicks, TimeSpan.Zero);
        // One id for every leave the snapshot causes: a replay after a crash repeats it, and the exports drop the repeat.
        var leftEventId = $"snapshot-left:{snapshot.SnapshotId}";
        var leftEventHash = ProfileHash.Of(leftEventId);
        for (var slot = 0; slot < Members.Count; slot++)
        {
            ref var member = ref Members[slot];
            if (member.SegmentMask != Member || member.LastOccurredTicks >= snapshot.StartedTicks)
            {
                continue;
            }

            var profileId = Members.ProfileId(slot);
            if (snapshot.Seen.Contains(profileId))
            {
                continue;
            }

            Stamp(slot, snapshot.CompletedTicks, leftEventHash);
            Leave(slot);
            outcome.Forward.Add(new SegmentEvent(leftEventId, segmentId, profileId, SegmentEventType.Left, completedAt, null));
        }
    }

    private SnapshotProgress? FindSnapshot(string snapshotId) =>
        state.Snapshot is { } running && running.SnapshotId == snapshotId ? running
            : state.CompletedSnapshots.Find(s => s.SnapshotId == snapshotId);

    /// <summary>
    /// Right to erasure, whatever its occurredAt: the profile leaves and its attributes are forgotten. What stays is
    /// what keeps a replayed, older or same-time join from bringing it back: its slot's clock and erasure mark, or for
    /// a profile never seen, the fixed table of recent leaves. Always forwarded: an export may hold the profile from a segment it no longer takes.
    /// </summary>
    private void Erase(SegmentEvent e, SegmentBatchOutcome outcome)
    {
        var eventHash = ProfileHash.Of(e.EventId);
        var slot = Members.Find(e.ProfileId);
        outcome.Forward.Add(e);
        if (slot < 0)
        {
            state.RecentLeaves.RecordErasure(ProfileHash.Of(e.ProfileId), e.OccurredAt.UtcTicks);
            outcome.Applied++;
            return;
        }

        if (Members[slot].LastEventHash == eventHash)
        {
            outcome.Duplicates++;
            return;
        }

        if (Members[slot].SegmentMask == Member)
        {
            Members[slot].SegmentMask = 0;
            state.MemberCount--;
        }

        // The erasure's time is the newest the profile has seen: every event delivered before it is a tie or older.
        Stamp(slot, Math.Max(e.OccurredAt.UtcTicks, Members[slot].LastOccurredTicks), eventHash);
        Members[slot].Erasure = ErasureState.Done;
        Members.Forget(slot);
        state.Snapshot?.Seen.Remove(e.ProfileId);
        state.CompletedSnapshots.ForEach(snapshot => snapshot.Seen.Remove(e.ProfileId));
        state.EarlySnapshots.ForEach(snapshot => snapshot.Seen.Remove(e.ProfileId));
        outcome.Applied++;
    }

    private void Stamp(int slot, long ticks, ulong eventHash)
    {
        ref var member = ref Members[slot];
        member.LastOccurredTicks = ticks;
        member.LastEventHash = eventHash;
    }

    /// <summary>Its attributes are dropped with its membership: exports keep what they need to unsubscribe it.</summary>
    private void Leave(int slot)
    {
        Members[slot].SegmentMask = 0;
        Members.SetAttributes(slot, null);
        state.MemberCount--;
    }

    /// <summary>Every current member as a join carrying its latest attributes and timestamp, for an export to take in.</summary>
    /// <param name="backfillId">Unique per backfill, so that an export takes a second backfill (after a mapping change) too.</param>
    public IEnumerable<SegmentEvent> Backfill(string segmentId, string backfillId)
    {
        for (var slot = 0; slot < Members.Count; slot++)
        {
            var member = Members[slot];
            if (member.SegmentMask == Member)
            {
                yield return new SegmentEvent(backfillId, segmentId, Members.ProfileId(slot), SegmentEventType.Joined,
                    new DateTimeOffset(member.LastOccurredTicks, TimeSpan.Zero), Members.Attributes(slot));
            }
        }
    }
}

/// <summary>What a segment shard did with a batch, and what its exports must apply.</summary>
public sealed class SegmentBatchOutcome
{
    public List<SegmentEvent> Forward { get; } = [];

    public int Applied { get; set; }

    public int Duplicates { get; set; }

    public int Stale { get; set; }

    public int Ignored { get; set; }
}
