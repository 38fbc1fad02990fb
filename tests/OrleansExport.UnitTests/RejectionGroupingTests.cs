using Microsoft.Extensions.Time.Testing;
using OrleansExport.Grains.ExportShards;

namespace OrleansExport.UnitTests;

public sealed class RejectionGroupingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly ContactMapping Mapping = new("EmailAddress", null, null, null, [], []);

    private static Rejection At(int minute, RejectionKind kind, string profile = "p") =>
        new(profile, null, kind.ToString(), T0.AddMinutes(minute), kind);

    [Fact]
    public void TheShardRecordsTheKindOfEachRejection_WithoutTheEmailInTheKind()
    {
        var time = new FakeTimeProvider(T0);
        var shard = new ExportShardRules(new ExportShardState { Config = new ShardConfig(["s1"], Mapping, LeaveAction.Unsubscribe) }, time);
        shard.AddCapacity(1);
        SegmentEvent Joined(string profile, string? email) => new($"e-{profile}", "s1", profile, SegmentEventType.Joined, T0,
            email is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["EmailAddress"] = email });

        shard.Apply([Joined("p1", "ok@example.com"), Joined("p2", "ann.lee-at-example"), Joined("p3", null), Joined("p4", "over@example.com")]);

        var summary = RejectionGrouping.Merge([shard.GetRejectionSummary()], examples: 3);
        Assert.Equal(3, summary.Total);
        Assert.Equal([RejectionKind.MissingEmail, RejectionKind.InvalidEmail, RejectionKind.OverCap], summary.Kinds.Select(k => k.Kind).Order());
        var invalid = summary.Kinds.Single(k => k.Kind == RejectionKind.InvalidEmail);
        Assert.Equal("p2", Assert.Single(invalid.Latest).ProfileId);
        Assert.Contains("ann.lee-at-example", invalid.Latest[0].Reason);
        Assert.Equal([RejectionKind.InvalidEmail], shard.GetRejections(RejectionKind.InvalidEmail, 10).Select(r => r.Kind));
    }

    [Fact]
    public void Merge_AddsTheShardsUp_MostFrequentKindFirst_WithTheNewestExamples()
    {
        var first = RejectionGrouping.ForShard(
            [At(0, RejectionKind.InvalidEmail), At(1, RejectionKind.MissingEmail), At(2, RejectionKind.InvalidEmail)],
            new Dictionary<RejectionKind, long> { [RejectionKind.InvalidEmail] = 40, [RejectionKind.MissingEmail] = 1 }, examples: 2);
        var second = RejectionGrouping.ForShard(
            [At(3, RejectionKind.InvalidEmail, "newest"), At(4, RejectionKind.RefusedByActiveCampaign)],
            new Dictionary<RejectionKind, long> { [RejectionKind.InvalidEmail] = 13, [RejectionKind.RefusedByActiveCampaign] = 2 }, examples: 2);

        var summary = RejectionGrouping.Merge([first, second], examples: 2);

        Assert.Equal(56, summary.Total);
        Assert.Equal(5, summary.Kept);
        Assert.Equal([RejectionKind.InvalidEmail, RejectionKind.RefusedByActiveCampaign, RejectionKind.MissingEmail], summary.Kinds.Select(k => k.Kind));
        var invalid = summary.Kinds[0];
        Assert.Equal(53, invalid.Count);
        Assert.Equal(3, invalid.Kept);
        Assert.Equal([T0.AddMinutes(3), T0.AddMinutes(2)], invalid.Latest.Select(r => r.At));
    }

    [Fact]
    public void RejectionsKeptFromBeforeKindsWereCounted_StillCount()
    {
        var legacy = RejectionGrouping.ForShard([At(0, RejectionKind.Other), At(1, RejectionKind.Other)], new Dictionary<RejectionKind, long>(), examples: 3);

        var summary = RejectionGrouping.Merge([legacy], examples: 3);

        var other = Assert.Single(summary.Kinds);
        Assert.Equal((RejectionKind.Other, 2L, 2), (other.Kind, other.Count, other.Kept));
    }

    [Fact]
    public void NewestFirst_KeepsTheOrderOfTheListsForRejectionsOfTheSameInstant()
    {
        IEnumerable<Rejection>[] shards =
        [
            [At(1, RejectionKind.InvalidEmail, "a2"), At(1, RejectionKind.InvalidEmail, "a1"), At(0, RejectionKind.InvalidEmail, "a0")],
            [At(2, RejectionKind.InvalidEmail, "b1"), At(1, RejectionKind.InvalidEmail, "b0")],
        ];

        Assert.Equal(["b1", "a2", "a1", "b0", "a0"], RejectionGrouping.NewestFirst(shards).Select(r => r.ProfileId));
    }

    [Fact]
    public void NoRejections_AnEmptySummary()
    {
        var summary = RejectionGrouping.Merge([RejectionGrouping.ForShard([], new Dictionary<RejectionKind, long>(), examples: 3)], examples: 3);

        Assert.Equal((0L, 0), (summary.Total, summary.Kept));
        Assert.Empty(summary.Kinds);
    }
}
