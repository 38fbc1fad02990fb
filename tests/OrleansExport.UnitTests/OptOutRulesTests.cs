using Microsoft.Extensions.Time.Testing;
using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.ExportShards;
using OrleansExport.Grains.Members;

namespace OrleansExport.UnitTests;

/// <summary>A person's choice is final: the opt-out table, and what an export shard does with an opted-out member.</summary>
public sealed class OptOutRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly ContactMapping Mapping = new("EmailAddress", "FirstName", null, null, [], []);
    private readonly FakeTimeProvider _time = new(T0);
    private int _eventNumber;

    public static TheoryData<string, bool, bool> SubscribeCases => new()
    {
        // status on the list (source), unsubscribed by the export itself -> may set status 1
        { "none", false, true },
        { "notOnList", false, true },
        { "1 api", false, true },
        { "0 public", false, true },
        { "2 api", true, true },
        { "2 api", false, false },
        { "2 public", true, false },
        { "2 admin", true, false },
        { "3 system", true, false },
        { "3 api", true, false },
    };

    private static ListStatusLookup Lookup(string status) => status switch
    {
        "none" => new ListStatusLookup.NoSuchContact(),
        "notOnList" => new ListStatusLookup.NotOnList(),
        _ => new ListStatusLookup.OnList((ContactListStatus)(status[0] - '0'), status.EndsWith("api", StringComparison.Ordinal), null, null),
    };

    [Theory]
    [MemberData(nameof(SubscribeCases))]
    public void MaySubscribe_OnlyUndoesTheExportsOwnUnsubscribe(string status, bool unsubscribedByExport, bool expected) =>
        Assert.Equal(expected, OptOutRules.MaySubscribe(Lookup(status), unsubscribedByExport));

    [Theory]
    [InlineData("1 api", false)]
    [InlineData("2 api", false)]
    [InlineData("2 public", true)]
    [InlineData("3 api", true)]
    [InlineData("notOnList", false)]
    public void IsOptedOut_IsABounceOrAnUnsubscribeNotMadeThroughTheApi(string status, bool expected) =>
        Assert.Equal(expected, OptOutRules.IsOptedOut(Lookup(status)));

    private ExportShardRules NewShard(EraseAction onErase = EraseAction.Unsubscribe)
    {
        var shard = new ExportShardRules(new ExportShardState { Config = new ShardConfig(["s1"], Mapping, LeaveAction.Unsubscribe, onErase) }, _time);
        shard.AddCapacity(100);
        return shard;
    }

    private SegmentEvent Event(string profile, SegmentEventType type, int minute, string first = "Ann") =>
        new($"e{_eventNumber++}", "s1", profile, type, T0.AddMinutes(minute),
            type == SegmentEventType.Left ? null : new Dictionary<string, string> { ["EmailAddress"] = $"{profile}@example.com", ["FirstName"] = first });

    private static void Answer(ExportShardRules shard, OutcomeKind kind) =>
        shard.Complete(shard.TakePending(100).Select(c => new ContactOutcome(c.ProfileId, c.Action, c.Hash, kind, null)).ToList());

    [Fact]
    public void OptedOutOutcome_IsCountedNotPendingAndNothingIsSentOnUpdateLeaveOrRejoin()
    {
        var shard = NewShard();
        shard.Apply([Event("p1", SegmentEventType.Joined, 0)]);
        Answer(shard, OutcomeKind.OptedOut);

        var counters = shard.GetCounters();
        Assert.Equal((1L, 1L, 0L, 0L), (counters.Members, counters.OptedOut, counters.Pending, counters.InSync));

        shard.Apply([Event("p1", SegmentEventType.Updated, 1, first: "New")]);
        Assert.Empty(shard.TakePending(10));
        shard.Apply([Event("p1", SegmentEventType.Left, 2)]);
        Assert.Empty(shard.TakePending(10));
        shard.Apply([Event("p1", SegmentEventType.Joined, 3)]);
        Assert.Empty(shard.TakePending(10));
        Assert.Equal(1, shard.GetCounters().OptedOut);
    }

    [Fact]
    public void MemberStory_OfAnOptedOutMember_IsOptedOutWithItsReason_AndLiftedItIsPendingAgain()
    {
        var shard = NewShard();
        shard.Apply([Event("p1", SegmentEventType.Joined, 0)]);
        Answer(shard, OutcomeKind.OptedOut);
        shard.Apply([Event("p1", SegmentEventType.Updated, 1, first: "New")]);

        var story = shard.Story("p1")!;
        Assert.Equal(MemberState.OptedOut, story.State);
        Assert.Contains("Opted out", story.Reason);
        Assert.Equal(MemberState.OptedOut, shard.FindByEmail("P1@example.com")!.State);

        shard.ApplyListFacts([new ListFact("p1", ListFactKind.Lifted)]);
        Assert.Equal(MemberState.Pending, shard.Story("p1")!.State);
    }

    [Fact]
    public void FullRun_LeavesOptedOutMembersOutOfTheRun()
    {
        var shard = NewShard();
        shard.Apply([Event("p1", SegmentEventType.Joined, 0), Event("p2", SegmentEventType.Joined, 0)]);
        Answer(shard, OutcomeKind.Accepted);
        shard.ApplyListFacts([new ListFact("p1", ListFactKind.OptedOut)]);

        Assert.Equal(1, shard.BeginRun("run-1"));
        Assert.Equal(["p2"], shard.TakePending(10).Select(c => c.ProfileId));
    }

    [Fact]
    public void ListChange_ForgetsOptOuts_TheNewListsStatusCounts()
    {
        var shard = NewShard();
        shard.Apply([Event("p1", SegmentEventType.Joined, 0)]);
        Answer(shard, OutcomeKind.OptedOut);

        shard.ResetDelivery();

        Assert.Equal(0, shard.GetCounters().OptedOut);
        Assert.Equal(ContactAction.Upsert, Assert.Single(shard.TakePending(10)).Action);
    }

    [Fact]
    public void Lifted_ThePersonSubscribedAgain_DataUpdatesWithoutASubscribe()
    {
        var shard = NewShard();
        shard.Apply([Event("p1", SegmentEventType.Joined, 0)]);
        Answer(shard, OutcomeKind.OptedOut);

        shard.ApplyListFacts([new ListFact("p1", ListFactKind.Lifted)]);

        var contact = Assert.Single(shard.TakePending(10));
        Assert.Equal((ContactAction.Upsert, true), (contact.Action, contact.AlreadySubscribed));
        Assert.Equal(0, shard.GetCounters().OptedOut);
    }

    [Fact]
    public void UnsubscribeTheExportMadeItself_IsUndoneByARejoin()
    {
        var shard = NewShard();
        shard.Apply([Event("p1", SegmentEventType.Joined, 0)]);
        Answer(shard, OutcomeKind.Accepted);
        shard.Apply([Event("p1", SegmentEventType.Left, 1)]);
        Answer(shard, OutcomeKind.Accepted);

        shard.Apply([Event("p1", SegmentEventType.Joined, 2)]);

        Assert.Equal(ContactAction.Resubscribe, Assert.Single(shard.TakePending(10)).Action);
    }

    [Fact]
    public void Missing_AMemberDeletedInTheApp_IsSentAgainAsANewContact()
    {
        var shard = NewShard();
        shard.Apply([Event("p1", SegmentEventType.Joined, 0)]);
        Answer(shard, OutcomeKind.Accepted);
        Assert.Empty(shard.TakePending(10));

        shard.ApplyListFacts([new ListFact("p1", ListFactKind.Missing)]);

        var contact = Assert.Single(shard.TakePending(10));
        Assert.Equal((ContactAction.Upsert, false), (contact.Action, contact.AlreadySubscribed));
    }

    [Fact]
    public void ErasureOfAnOptedOutProfile_DeletesWithOnEraseDelete_ElseNeedsNothing()
    {
        var keep = NewShard();
        var delete = NewShard(EraseAction.Delete);
        foreach (var shard in new[] { keep, delete })
        {
            shard.Apply([Event("p1", SegmentEventType.Joined, 0)]);
            Answer(shard, OutcomeKind.OptedOut);
            shard.Apply([Event("p1", SegmentEventType.Erased, 1)]);
        }

        Assert.Empty(keep.TakePending(10));
        Assert.Equal(ContactAction.Delete, Assert.Single(delete.TakePending(10)).Action);
    }

    [Theory]
    [InlineData(MemberFlags.SubscribedInAc, ContactListStatus.Unsubscribed, ListFactKind.OptedOut)]
    [InlineData(MemberFlags.UnsubscribedInAc, ContactListStatus.Unsubscribed, null)]
    [InlineData(MemberFlags.UnsubscribedInAc, ContactListStatus.Bounced, ListFactKind.OptedOut)]
    [InlineData(MemberFlags.OptedOut, ContactListStatus.Active, ListFactKind.Lifted)]
    [InlineData(MemberFlags.OptedOut, ContactListStatus.Unsubscribed, null)]
    [InlineData(MemberFlags.SubscribedInAc, ContactListStatus.Active, null)]
    public void FromListedStatus_LearnsWhatOthersDid(MemberFlags flags, ContactListStatus status, ListFactKind? expected)
    {
        var member = new MemberSlot { SegmentMask = 1, Flags = flags };
        Assert.Equal(expected, OptOutRules.FromListedStatus(member, status));
    }

    [Theory]
    [InlineData(OutcomeKind.Accepted)]
    [InlineData(OutcomeKind.Unconfirmed)]
    [InlineData(null)]
    public void Reconciliation_FindingTheExportsOwnUnsubscribeUnderWay_DoesNotOptOut_SoARejoinResubscribes(OutcomeKind? outcome)
    {
        var shard = NewShard();
        shard.Apply([Event("p1", SegmentEventType.Joined, 0)]);
        Answer(shard, OutcomeKind.Accepted);
        shard.Apply([Event("p1", SegmentEventType.Left, 1)]);
        var unsubscribe = Assert.Single(shard.TakePending(10));
        Assert.Equal(ContactAction.Unsubscribe, unsubscribe.Action);

        // ActiveCampaign applied the unsubscribe; the reconciliation reads the status-2 page while its answer is under way
        // (in flight, or lost and queued again).
        shard.BeginReconciliation("rec-1");
        if (outcome is not null)
        {
            shard.Complete([new ContactOutcome("p1", unsubscribe.Action, unsubscribe.Hash, outcome.Value, null)]);
        }

        Assert.Empty(shard.Reconcile("rec-1", ContactListStatus.Unsubscribed, ["p1@example.com"], ["11"])!.Value.Facts);
        if (outcome is not null)
        {
            Answer(shard, OutcomeKind.Accepted);
        }

        if (outcome is null)
        {
            shard.Complete([new ContactOutcome("p1", unsubscribe.Action, unsubscribe.Hash, OutcomeKind.Accepted, null)]);
        }

        shard.Apply([Event("p1", SegmentEventType.Joined, 2)]);
        Assert.Equal(0, shard.GetCounters().OptedOut);
        Assert.Equal(ContactAction.Resubscribe, Assert.Single(shard.TakePending(10)).Action);
    }

    [Fact]
    public void Reconciliation_AMemberUnsubscribedBySomeoneElse_IsOptedOut_EvenWhileAnUpdateIsInFlight()
    {
        var shard = NewShard();
        shard.Apply([Event("p1", SegmentEventType.Joined, 0)]);
        Answer(shard, OutcomeKind.Accepted);
        shard.Apply([Event("p1", SegmentEventType.Updated, 1, first: "New")]);
        Assert.Single(shard.TakePending(10));

        shard.BeginReconciliation("rec-1");
        var facts = shard.Reconcile("rec-1", ContactListStatus.Unsubscribed, ["p1@example.com"], ["11"])!.Value.Facts;

        Assert.Equal(ListFactKind.OptedOut, Assert.Single(facts).Kind);
    }

    [Fact]
    public void Reconciliation_OfTheOldList_LearnsNothingOnceTheExportMovedToAnotherList()
    {
        var shard = NewShard();
        shard.Apply([Event("p1", SegmentEventType.Joined, 0)]);
        Answer(shard, OutcomeKind.Accepted);
        shard.BeginReconciliation("rec-1");

        // PATCH listId while the reconciliation reads the old list: a status there is no choice about the new one.
        shard.ResetDelivery();

        Assert.Null(shard.Reconcile("rec-1", ContactListStatus.Unsubscribed, ["p1@example.com"], ["11"]));
        Assert.Null(shard.EndReconciliation("rec-1"));
        Assert.Equal(0, shard.GetCounters().OptedOut);
    }

    [Theory]
    [InlineData(MemberFlags.SubscribedInAc, ListSignal.Unsubscribed, ListFactKind.OptedOut)]
    [InlineData(MemberFlags.SubscribedInAc, ListSignal.Bounced, ListFactKind.OptedOut)]
    [InlineData(MemberFlags.OptedOut, ListSignal.Subscribed, ListFactKind.Lifted)]
    [InlineData(MemberFlags.SubscribedInAc, ListSignal.Subscribed, null)]
    public void FromWebhook_UnsubscribeAndBounceOptOut_SubscribeLifts(MemberFlags flags, ListSignal signal, ListFactKind? expected)
    {
        var member = new MemberSlot { SegmentMask = 1, Flags = flags };
        Assert.Equal(expected, OptOutRules.FromWebhook(member, signal));
    }
}
