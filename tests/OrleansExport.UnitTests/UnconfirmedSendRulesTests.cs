using Microsoft.Extensions.Time.Testing;
using OrleansExport.Grains.ExportShards;

namespace OrleansExport.UnitTests;

/// <summary>
/// A contact sent whose outcome is unknown (import/info never confirmed it, its batch failed after it went out, or its
/// sender died) may be in ActiveCampaign: a later leave unsubscribes it and an erasure does not just forget it.
/// </summary>
public sealed class UnconfirmedSendRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly ContactMapping Mapping = new("EmailAddress", "FirstName", null, null, [], []);
    private readonly FakeTimeProvider _time = new(T0);
    private int _eventNumber;

    private ExportShardRules NewShard()
    {
        var shard = new ExportShardRules(new ExportShardState { Config = new ShardConfig(["s1"], Mapping, LeaveAction.Unsubscribe) }, _time);
        shard.AddCapacity(10);
        return shard;
    }

    private SegmentEvent Event(SegmentEventType type, int minute) =>
        new($"e{_eventNumber++}", "s1", "p1", type, T0.AddMinutes(minute),
            type == SegmentEventType.Joined ? new Dictionary<string, string> { ["EmailAddress"] = "p1@example.com", ["FirstName"] = "Ann" } : null);

    private static void Answer(ExportShardRules shard, OutgoingContact[] taken, OutcomeKind kind) =>
        shard.Complete([.. taken.Select(c => new ContactOutcome(c.ProfileId, c.Action, c.Hash, kind, null))]);

    private static string Describe(IEnumerable<OutgoingContact> taken) => string.Join(", ", taken.Select(c => $"{c.Action} {c.Data.Email}"));

    [Theory]
    [InlineData(SegmentEventType.Left)]
    [InlineData(SegmentEventType.Erased)]
    public void UnconfirmedUpsert_ThenLeaveOrErasure_UnsubscribesTheContact(SegmentEventType then)
    {
        var shard = NewShard();
        shard.Apply([Event(SegmentEventType.Joined, 0)]);
        Answer(shard, shard.TakePending(10), OutcomeKind.Unconfirmed);

        shard.Apply([Event(then, 1)]);

        Assert.Equal("Unsubscribe p1@example.com", Describe(shard.TakePending(10)));
    }

    [Fact]
    public void LeaseReleasedWhenItsSenderDied_ThenLeave_UnsubscribesTheContact()
    {
        var shard = NewShard();
        shard.Apply([Event(SegmentEventType.Joined, 0)]);
        shard.TakePending(10);
        shard.ReleaseLeases();

        shard.Apply([Event(SegmentEventType.Left, 1)]);

        Assert.Equal("Unsubscribe p1@example.com", Describe(shard.TakePending(10)));
    }

    [Fact]
    public void ReturnedUnsent_ThenLeave_SendsNothing_NoContactIsCreatedForSomeoneNeverSent()
    {
        var shard = NewShard();
        shard.Apply([Event(SegmentEventType.Joined, 0)]);
        Answer(shard, shard.TakePending(10), OutcomeKind.Returned);

        shard.Apply([Event(SegmentEventType.Left, 1)]);

        Assert.Empty(shard.TakePending(10));
    }

    [Fact]
    public void UnconfirmedThenAcceptedUnsubscribe_IsDone()
    {
        var shard = NewShard();
        shard.Apply([Event(SegmentEventType.Joined, 0)]);
        Answer(shard, shard.TakePending(10), OutcomeKind.Unconfirmed);
        shard.Apply([Event(SegmentEventType.Left, 1)]);

        Answer(shard, shard.TakePending(10), OutcomeKind.Accepted);

        Assert.Empty(shard.TakePending(10));
    }
}

/// <summary>A lease whose answer or outcome was lost goes back to pending after the lease timeout, as possibly sent.</summary>
public sealed class LeaseTimeoutRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Timeout = TimeSpan.FromHours(1);
    private readonly FakeTimeProvider _time = new(T0);

    [Fact]
    public void LeaseWithoutOutcome_IsTakenBackAfterTheTimeout_AndALaterLeaveUnsubscribesTheContact()
    {
        var shard = new ExportShardRules(new ExportShardState { Config = new ShardConfig(["s1"], new ContactMapping("EmailAddress", null, null, null, [], []), LeaveAction.Unsubscribe) }, _time);
        shard.AddCapacity(10);
        shard.Apply([new SegmentEvent("e1", "s1", "p1", SegmentEventType.Joined, T0, new Dictionary<string, string> { ["EmailAddress"] = "p1@example.com" })]);
        Assert.Single(shard.TakePending(10));

        _time.Advance(Timeout - TimeSpan.FromMinutes(1));
        Assert.Equal(0, shard.ExpireLeases(Timeout));
        Assert.Empty(shard.TakePending(10));

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, shard.ExpireLeases(Timeout));
        var retaken = Assert.Single(shard.TakePending(10));
        Assert.Equal(ContactAction.Upsert, retaken.Action);

        shard.Complete([new ContactOutcome(retaken.ProfileId, retaken.Action, retaken.Hash, OutcomeKind.Returned, null)]);
        shard.Apply([new SegmentEvent("e2", "s1", "p1", SegmentEventType.Left, T0.AddHours(2), null)]);
        Assert.Equal(ContactAction.Unsubscribe, Assert.Single(shard.TakePending(10)).Action);
    }
}
