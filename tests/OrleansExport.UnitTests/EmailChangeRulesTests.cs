using Microsoft.Extensions.Time.Testing;
using OrleansExport.Grains.ExportShards;

namespace OrleansExport.UnitTests;

/// <summary>A member's mapped email changes: the old address is unsubscribed whatever onLeave says; the new one is a new contact.</summary>
public sealed class EmailChangeRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly ContactMapping Mapping = new("EmailAddress", "FirstName", null, null, [], []);
    private readonly FakeTimeProvider _time = new(T0);
    private int _eventNumber;

    private ExportShardRules NewShard(LeaveAction onLeave)
    {
        var shard = new ExportShardRules(new ExportShardState { Config = new ShardConfig(["s1"], Mapping, onLeave) }, _time);
        shard.AddCapacity(10);
        return shard;
    }

    private SegmentEvent Joined(string email, int minute) =>
        new($"e{_eventNumber++}", "s1", "p1", SegmentEventType.Joined, T0.AddMinutes(minute), new Dictionary<string, string> { ["EmailAddress"] = email, ["FirstName"] = "Ann" });

    private static ContactOutcome Accepted(OutgoingContact c) => new(c.ProfileId, c.Action, c.Hash, OutcomeKind.Accepted, null);

    private static void AcceptAll(ExportShardRules shard, OutgoingContact[] taken) => shard.Complete([.. taken.Select(Accepted)]);

    private static string Describe(IEnumerable<OutgoingContact> taken) => string.Join(", ", taken.Select(c => $"{c.Action} {c.Data.Email}").Order());

    [Theory]
    [InlineData(LeaveAction.Keep)]
    [InlineData(LeaveAction.Unsubscribe)]
    public void ChangedEmailOfASubscribedMember_UnsubscribesTheOldAddressAndSubscribesTheNewAsANewContact(LeaveAction onLeave)
    {
        var shard = NewShard(onLeave);
        shard.Apply([Joined("old@example.com", 0)]);
        AcceptAll(shard, shard.TakePending(10));

        shard.Apply([Joined("new@example.com", 1)]);
        var taken = shard.TakePending(10);

        Assert.Equal("Unsubscribe old@example.com, Upsert new@example.com", Describe(taken));
        Assert.False(taken.Single(c => c.Action == ContactAction.Upsert).AlreadySubscribed);
        AcceptAll(shard, taken);
        Assert.Empty(shard.TakePending(10));
    }

    [Fact]
    public void ChangedEmailWhileTheOldAddressIsInFlight_UnsubscribesItOnlyOnceItsOutcomeIsBack()
    {
        var shard = NewShard(LeaveAction.Unsubscribe);
        shard.Apply([Joined("old@example.com", 0)]);
        var inFlight = shard.TakePending(10);

        shard.Apply([Joined("new@example.com", 1)]);
        Assert.Empty(shard.TakePending(10));
        AcceptAll(shard, inFlight);

        Assert.Equal("Unsubscribe old@example.com, Upsert new@example.com", Describe(shard.TakePending(10)));
    }

    [Fact]
    public void ChangedEmailOfAMemberNeverSent_UnsubscribesNothing()
    {
        var shard = NewShard(LeaveAction.Unsubscribe);
        shard.Apply([Joined("old@example.com", 0)]);

        shard.Apply([Joined("new@example.com", 1)]);

        Assert.Equal("Upsert new@example.com", Describe(shard.TakePending(10)));
    }

    [Fact]
    public void UnsubscribeOfTheOldAddressReturnedUnsent_IsSentAgain_AndALaterLeaveUnsubscribesTheCurrentAddress()
    {
        var shard = NewShard(LeaveAction.Unsubscribe);
        shard.Apply([Joined("old@example.com", 0)]);
        AcceptAll(shard, shard.TakePending(10));
        shard.Apply([Joined("new@example.com", 1)]);
        var taken = shard.TakePending(10);
        shard.Complete([.. taken.Select(c => c.Action == ContactAction.Unsubscribe ? new ContactOutcome(c.ProfileId, c.Action, c.Hash, OutcomeKind.Returned, null) : Accepted(c))]);

        shard.Apply([new SegmentEvent($"e{_eventNumber++}", "s1", "p1", SegmentEventType.Left, T0.AddMinutes(2), null)]);

        Assert.Equal("Unsubscribe new@example.com, Unsubscribe old@example.com", Describe(shard.TakePending(10)));
    }
}
