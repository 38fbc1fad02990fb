using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Serialization;
using OrleansExport.Grains.Delivery;
using OrleansExport.Grains.Durability;
using OrleansExport.Grains.ExportShards;

namespace OrleansExport.UnitTests;

/// <summary>
/// Delivery outcomes are journaled (<see cref="ShardJournalEntry.Completion"/>) and replayed on the last snapshot with
/// the event batches, in order: a shard that died sends again only what was in flight, never what ActiveCampaign accepted.
/// </summary>
public sealed class ShardCompletionReplayTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly ContactMapping Mapping = new("EmailAddress", "FirstName", null, null, [], []);
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
    private readonly FakeTimeProvider _time = new(T0);
    private int _eventNumber;

    /// <summary>
    /// The shard as it lives, what its journal holds since the snapshot it would recover from, and its export's journal
    /// of deliveries (what <see cref="ExportShardGrain"/> does, without Orleans).
    /// </summary>
    private sealed class LiveShard(ExportShardRules membership)
    {
        private readonly List<long> _deliveriesSinceAppend = [];

        public ExportShardRules Membership { get; } = membership;

        public byte[] Snapshot { get; private set; } = Serializer.SerializeToArray(membership.State);

        public List<ShardJournalEntry> Journal { get; } = [];

        public List<ShardJournalEntry> ExportJournal { get; } = [];

        public void TakeSnapshot()
        {
            Snapshot = Serializer.SerializeToArray(Membership.State);
            Journal.Clear();
        }

        private void Append(ShardJournalEntry entry)
        {
            Journal.Add(_deliveriesSinceAppend.Count > 0 ? entry with { DeliveriesBefore = [.. _deliveriesSinceAppend] } : entry);
            _deliveriesSinceAppend.Clear();
        }

        public void Apply(params SegmentEvent[] events)
        {
            Append(ShardJournalEntry.Applied(Membership.State.CapacityLeft, events));
            Membership.Apply(events);
        }

        /// <summary>Outcomes the shard journals itself: those it acts on, then it completes them.</summary>
        public void Complete(IReadOnlyList<ContactOutcome> outcomes)
        {
            var completed = Membership.OutcomesOfLeasedContacts(outcomes);
            Append(ShardJournalEntry.Completion(completed));
            Membership.CompleteTaken(completed);
        }

        /// <summary>A delivery the export journaled for all its shards (group commit), then handed to this one.</summary>
        public void Deliver(long sequence, long handedThrough, IReadOnlyList<ContactOutcome> outcomes)
        {
            ExportJournal.Add(new ShardJournalEntry(0, [], Delivered: [new DeliveredOutcomes([], [.. outcomes], sequence)]));
            var completed = Membership.OutcomesOfLeasedContacts(outcomes);
            Membership.CompleteTaken(completed);
            Membership.Deliveries.Note(sequence, handedThrough);
            _deliveriesSinceAppend.Add(sequence);
        }

        public void BeginRun(string runId)
        {
            Append(ShardJournalEntry.BeginningOfRun(runId));
            Membership.BeginRun(runId);
        }

        /// <summary>What the grain does when the export's delivery loop starts over.</summary>
        public void ReleaseLeases()
        {
            Append(ShardJournalEntry.ReleaseOfLeases());
            Membership.ReleaseLeases();
        }
    }

    private LiveShard NewShard()
    {
        var state = new ExportShardState { Config = new ShardConfig(["s1"], Mapping, LeaveAction.Unsubscribe) };
        var shard = new ExportShardRules(state, _time);
        shard.AddCapacity(1000);
        return new LiveShard(shard);
    }

    /// <summary>
    /// What a new activation does after a crash (<see cref="ShardReplay"/>): the snapshot, then the journal in order with
    /// the export's deliveries where they came; it keeps the leases for the sender to answer. With
    /// <paramref name="senderDied"/>, the export's delivery loop died too, and its next activation releases them.
    /// </summary>
    private ExportShardRules Recover(LiveShard live, bool senderDied)
    {
        var state = Serializer.Deserialize<ExportShardState>(live.Snapshot)!;
        var recovered = new ExportShardRules(state, _time);
        new ShardReplay(recovered, state, ImportOutcomes.Read(live.ExportJournal), importFailureRetries: 3).Replay(live.Journal);
        if (senderDied)
        {
            recovered.ReleaseLeases();
        }

        return recovered;
    }

    private SegmentEvent Joined(string profile, int minute, string first = "Ann") =>
        new($"e{_eventNumber++}", "s1", profile, SegmentEventType.Joined, T0.AddMinutes(minute),
            new Dictionary<string, string> { ["EmailAddress"] = $"{profile}@example.com", ["FirstName"] = first });

    private static ContactOutcome[] Accepted(IEnumerable<OutgoingContact> contacts) =>
        [.. contacts.Select(c => new ContactOutcome(c.ProfileId, c.Action, c.Hash, OutcomeKind.Accepted, null))];

    private static (long Members, long Pending, long InSync, long InRun) Counts(ExportShardRules shard)
    {
        var counters = shard.GetCounters();
        return (counters.Members, counters.Pending, counters.InSync, counters.RunRemaining);
    }

    [Fact]
    public void CompletionsSinceTheSnapshot_Replayed_LeaveOnlyTheContactsInFlightToSendAgain()
    {
        var live = NewShard();
        live.Apply([.. Enumerable.Range(0, 30).Select(i => Joined($"p{i}", 0))]);
        live.Membership.BeginRun("run-1");
        live.TakeSnapshot();

        // Taken after the snapshot (taking is not journaled), accepted and journaled; ten more are in flight at the crash.
        live.Complete(Accepted(live.Membership.TakePending(20)));
        var inFlight = live.Membership.TakePending(10);

        var recovered = Recover(live, senderDied: true);

        var again = recovered.TakePending(100);
        Assert.Equal(inFlight.Select(c => c.ProfileId).Order(), again.Select(c => c.ProfileId).Order());
        Assert.Equal((30L, 10L, 20L, 10L), Counts(recovered));
    }

    [Fact]
    public void ACompletionWhoseLeaseIsInTheSnapshot_ReplaysTheSame()
    {
        var live = NewShard();
        live.Apply(Joined("p1", 0), Joined("p2", 0));
        var taken = live.Membership.TakePending(10);
        live.TakeSnapshot();
        live.Complete(Accepted(taken));

        var recovered = Recover(live, senderDied: true);

        Assert.Empty(recovered.TakePending(10));
        Assert.Equal(Counts(live.Membership), Counts(recovered));
        Assert.Equal((2L, 0L, 2L, 0L), Counts(recovered));
    }

    [Fact]
    public void AContactThatChangedWhileInFlight_StaysPendingWithItsNewData_AfterTheReplayAsBefore()
    {
        var live = NewShard();
        live.Apply(Joined("p1", 0, first: "Old"));
        live.TakeSnapshot();
        var taken = live.Membership.TakePending(10);
        live.Apply(Joined("p1", 1, first: "New"));
        live.Complete(Accepted(taken));

        var recovered = Recover(live, senderDied: true);

        Assert.Equal(Counts(live.Membership), Counts(recovered));
        Assert.Equal("New", Assert.Single(recovered.TakePending(10)).Data.FirstName);
        Assert.Equal("New", Assert.Single(live.Membership.TakePending(10)).Data.FirstName);
    }

    [Fact]
    public void AFailureReplayed_IsTheSameRejection_AndIsNotSentAgain()
    {
        var live = NewShard();
        live.Apply(Joined("p1", 0));
        live.TakeSnapshot();
        var contact = Assert.Single(live.Membership.TakePending(10));
        live.Complete([new ContactOutcome(contact.ProfileId, contact.Action, contact.Hash, OutcomeKind.Failed, "refused", RejectionKind.RefusedByActiveCampaign)]);

        var recovered = Recover(live, senderDied: true);

        Assert.Empty(recovered.TakePending(10));
        Assert.Equal(1, recovered.GetCounters().Rejected);
        Assert.Equal(RejectionKind.RefusedByActiveCampaign, Assert.Single(recovered.GetRejections(null, 10)).Kind);
    }

    [Fact]
    public void DeliveriesTheExportJournaled_Replayed_TakeTheContactsLeasedSinceTheSnapshot_NotSentAgain()
    {
        var live = NewShard();
        live.Apply([.. Enumerable.Range(0, 10).Select(i => Joined($"p{i}", 0))]);
        live.TakeSnapshot();

        // Taken and accepted since the snapshot; the outcomes are in the export's journal only (the shard journals nothing).
        live.Deliver(1, handedThrough: 0, Accepted(live.Membership.TakePending(6)));
        live.Deliver(2, handedThrough: 1, Accepted(live.Membership.TakePending(4)));
        var recovered = Recover(live, senderDied: true);

        Assert.Empty(recovered.TakePending(100));
        Assert.Equal((10L, 0L, 10L, 0L), Counts(recovered));
    }

    [Fact]
    public void ADeliveryTheSnapshotHolds_IsNotReplayed_SoAnOldAcceptedDoesNotUndoANewerChange()
    {
        var live = NewShard();
        live.Apply(Joined("p1", 0, first: "Ann"));
        live.Deliver(1, handedThrough: 0, Accepted(live.Membership.TakePending(10)));
        live.Apply(Joined("p1", 1, first: "Anna"));
        live.TakeSnapshot();

        // Delivery 1 (of the old data) is still in the export's journal; the snapshot holds it: the new data stays to send.
        var recovered = Recover(live, senderDied: true);

        Assert.Equal("Anna", Assert.Single(recovered.TakePending(10)).Data.FirstName);
    }

    [Fact]
    public void AfterTheListChanged_ADeliveryToTheOldListInTheJournal_DoesNotCountForTheNewOne()
    {
        var live = NewShard();
        live.Apply(Joined("p1", 0));
        live.Deliver(1, handedThrough: 0, Accepted(live.Membership.TakePending(10)));
        live.Membership.ResetDelivery();
        live.TakeSnapshot(); // the grain writes a snapshot when the list changes

        var recovered = Recover(live, senderDied: true);

        Assert.Single(recovered.TakePending(10));
    }

    [Fact]
    public void ARunBegunAfterADelivery_KeepsEveryMemberInTheRun_AfterTheReplay()
    {
        var live = NewShard();
        live.Apply(Joined("p1", 0), Joined("p2", 0));
        live.Deliver(1, handedThrough: 0, Accepted(live.Membership.TakePending(10)));
        live.TakeSnapshot();
        live.BeginRun("run-2");

        var recovered = Recover(live, senderDied: true);

        Assert.Equal(2, recovered.TakePending(10).Length);
        Assert.Equal((2L, 2L, 0L, 2L), Counts(recovered));
    }

    [Fact]
    public void ADeliveryTheShardTookButTheReadOfTheExportsJournalLacks_FailsTheRecovery_RatherThanSendItsContactsAgain()
    {
        var live = NewShard();
        live.Apply(Joined("p1", 0));
        live.TakeSnapshot();
        live.Deliver(7, handedThrough: 0, Accepted(live.Membership.TakePending(10)));
        live.Apply(Joined("p2", 0));
        live.ExportJournal.Clear(); // a read that raced the export's new generation

        Assert.Throws<InvalidOperationException>(() => Recover(live, senderDied: false));
    }

    [Fact]
    public void ADeliveryTakenBetweenTwoEntries_IsReplayedBetweenThem()
    {
        var live = NewShard();
        live.Apply(Joined("p1", 0, first: "Old"));
        live.TakeSnapshot();
        live.Deliver(1, handedThrough: 0, Accepted(live.Membership.TakePending(10)));
        live.Apply(Joined("p1", 1, first: "New"));

        // Delivery 1 came before the change: replayed after it, it would find the new data pending and leave it so anyway;
        // replayed in its place, it records what ActiveCampaign has, and the change makes the contact pending again.
        var recovered = Recover(live, senderDied: true);

        Assert.Equal(Counts(live.Membership), Counts(recovered));
        Assert.Equal("New", Assert.Single(recovered.TakePending(10)).Data.FirstName);
        Assert.Equal([1L], Assert.Single(live.Journal, e => e.Batch is not null).DeliveriesBefore!);
    }

    [Fact]
    public void TheShardAloneRestarted_TheOutcomesOfContactsTakenSinceItsSnapshot_AreTaken_NotSentAgain()
    {
        var live = NewShard();
        live.Apply([.. Enumerable.Range(0, 10).Select(i => Joined($"p{i}", 0))]);
        var beforeSnapshot = live.Membership.TakePending(4);
        live.TakeSnapshot();
        var afterSnapshot = live.Membership.TakePending(6);

        // The export's delivery loop lives on: the outcomes it could not hand over reach the new activation.
        var recovered = Recover(live, senderDied: false);
        var completed = recovered.OutcomesOfLeasedContacts(Accepted([.. beforeSnapshot, .. afterSnapshot]));
        recovered.CompleteTaken(completed);

        Assert.Equal(10, completed.Length);
        Assert.Empty(recovered.TakePending(100));
        Assert.Equal((10L, 0L, 10L, 0L), Counts(recovered));
    }

    [Fact]
    public void LeasesReleasedByANewDeliveryLoop_StayReleasedAfterTheShardRestarts()
    {
        var live = NewShard();
        live.Apply(Joined("p1", 0), Joined("p2", 0));
        live.Membership.TakePending(10);
        live.TakeSnapshot();
        live.ReleaseLeases();

        var recovered = Recover(live, senderDied: false);

        Assert.Equal(2, recovered.TakePending(10).Length);
    }

    [Fact]
    public void AfterTheListChanged_AnOutcomeOfALostLease_IsAboutTheOldList_AndIsDropped()
    {
        var live = NewShard();
        live.Apply(Joined("p1", 0));
        live.TakeSnapshot();
        var taken = live.Membership.TakePending(10);
        var recovered = Recover(live, senderDied: false);

        recovered.ResetDelivery();

        Assert.Empty(recovered.OutcomesOfLeasedContacts(Accepted(taken)));
        Assert.Single(recovered.TakePending(10));
    }

    [Fact]
    public void AnOutcomeForALeaseReleasedSince_IsNotActedOn_NorJournaled()
    {
        var live = NewShard();
        live.Apply(Joined("p1", 0));
        var taken = live.Membership.TakePending(10);
        live.Membership.ReleaseLeases();

        Assert.Empty(live.Membership.OutcomesOfLeasedContacts(Accepted(taken)));
        Assert.Single(live.Membership.TakePending(10));
    }

    [Fact]
    public void AJournalEntryOfABatch_HasNoOutcomes_AndACompletionNoEvents()
    {
        var batch = Serializer.Deserialize<ShardJournalEntry>(Serializer.SerializeToArray(new ShardJournalEntry(3, [Joined("p1", 0)])))!;
        var completion = Serializer.Deserialize<ShardJournalEntry>(Serializer.SerializeToArray(
            ShardJournalEntry.Completion([new ContactOutcome("p1", ContactAction.Upsert, 42, OutcomeKind.Accepted, null)])))!;

        Assert.Null(batch.Outcomes);
        Assert.Equal(3, batch.CapacityLeft);
        Assert.Empty(completion.Events);
        Assert.Equal(42UL, Assert.Single(completion.Outcomes!).Hash);
    }
}
