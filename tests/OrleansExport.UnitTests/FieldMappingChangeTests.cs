using Microsoft.Extensions.Time.Testing;
using OrleansExport.Grains.ExportShards;

namespace OrleansExport.UnitTests;

/// <summary>
/// Custom field values belong to their field ids: a mapping change that only swaps or re-targets field ids makes the
/// members sent again, and values stay with the attribute they were mapped from, whatever position it moves to.
/// </summary>
public sealed class FieldMappingChangeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);

    private static ContactMapping Mapping(params (string Attribute, int FieldId)[] fields) =>
        new("EmailAddress", null, null, null, [.. fields.Select(f => new FieldMapping(f.Attribute, f.FieldId))], []);

    private static string Values(OutgoingContact contact) => string.Join(",", contact.Data.FieldValues.Select(value => value ?? "-"));

    private static ShardConfig Config(ContactMapping mapping) => new(["s1"], mapping, LeaveAction.Unsubscribe);

    private ExportShardRules MemberSentWith(ContactMapping mapping)
    {
        var shard = new ExportShardRules(new ExportShardState { Config = Config(mapping) }, _time);
        shard.AddCapacity(10);
        shard.Apply([new SegmentEvent("e1", "s1", "p1", SegmentEventType.Joined, T0,
            new Dictionary<string, string> { ["EmailAddress"] = "p1@example.com", ["Tier"] = "gold", ["Color"] = "red" })]);
        var taken = shard.TakePending(10);
        shard.Complete([.. taken.Select(c => new ContactOutcome(c.ProfileId, c.Action, c.Hash, OutcomeKind.Accepted, null))]);
        Assert.Empty(shard.TakePending(10));
        return shard;
    }

    [Fact]
    public void SwappedFieldIds_SendTheMemberAgain()
    {
        var shard = MemberSentWith(Mapping(("Tier", 7), ("Color", 8)));

        shard.Configure(Config(Mapping(("Tier", 8), ("Color", 7))));

        Assert.Equal("gold,red", Values(Assert.Single(shard.TakePending(10))));
    }

    [Fact]
    public void RetargetedFieldId_SendsTheMemberAgain()
    {
        var shard = MemberSentWith(Mapping(("Tier", 7)));

        shard.Configure(Config(Mapping(("Tier", 9))));

        Assert.Equal("gold", Values(Assert.Single(shard.TakePending(10))));
    }

    [Fact]
    public void ReorderedFields_KeepEachValueWithItsAttribute_AndANewAttributeIsUnknownUntilTheBackfill()
    {
        var shard = MemberSentWith(Mapping(("Tier", 7), ("Color", 8)));

        shard.Configure(Config(Mapping(("Size", 6), ("Color", 8), ("Tier", 7))));

        Assert.Equal("-,red,gold", Values(Assert.Single(shard.TakePending(10))));
    }

    [Fact]
    public void UnchangedFields_SendNothing()
    {
        var shard = MemberSentWith(Mapping(("Tier", 7)));

        shard.Configure(Config(Mapping(("Tier", 7)) with { Tags = ["new-tag"] }));

        Assert.Empty(shard.TakePending(10));
    }
}
