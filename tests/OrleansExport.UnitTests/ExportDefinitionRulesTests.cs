using OrleansExport.Grains.Exports;
using OrleansExport.Grains.Segments;


namespace OrleansExport.UnitTests;

public sealed class ExportDefinitionRulesTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private static readonly ExportDefinition Definition = new("exp-1", "VIP", "con-1", "1", ["vip"],
        new ContactMapping("EmailAddress", "FirstName", null, null, [new FieldMapping("Tier", 7)], ["vip"]),
        LeaveAction.Unsubscribe, null, "alice", DateTimeOffset.UnixEpoch);

    [Fact]
    public void APatch_ChangesOnlyWhatItNames_AndSaysWhichFieldsChanged()
    {
        var (after, changed) = ExportDefinitionRules.Apply(Definition, new ExportPatch(DisplayName: "VIP customers", SegmentIds: ["vip", "gold"]));

        Assert.Equal(["displayName", "segmentIds"], changed);
        Assert.Equal(("VIP customers", "1", LeaveAction.Unsubscribe), (after.DisplayName, after.ListId, after.OnLeave));
        Assert.Equal(["vip", "gold"], after.SegmentIds);
    }

    [Fact]
    public void MaxUnsubscribePercent_DefaultsTo20_IsSwitchedOffByNull_AndMustBeOneToAHundred()
    {
        Assert.Equal(20, Definition.MaxUnsubscribePercent);

        var (off, changed) = ExportDefinitionRules.Apply(Definition, new ExportPatch(ChangeMaxUnsubscribePercent: true, MaxUnsubscribePercent: null));
        Assert.Equal(["maxUnsubscribePercent"], changed);
        Assert.Null(off.MaxUnsubscribePercent);
        Assert.Null(ExportDefinitionRules.Validate(off, Hour));

        var (fifty, _) = ExportDefinitionRules.Apply(off, new ExportPatch(ChangeMaxUnsubscribePercent: true, MaxUnsubscribePercent: 50));
        Assert.Equal(50, fifty.MaxUnsubscribePercent);
        Assert.Empty(ExportDefinitionRules.Apply(fifty, new ExportPatch(ChangeMaxUnsubscribePercent: true, MaxUnsubscribePercent: 50)).Changed);

        Assert.Equal("maxUnsubscribePercent", ExportDefinitionRules.Validate(Definition.WithMaxUnsubscribePercent(150), Hour)?.Field);
    }

    [Fact]
    public void APatchThatRepeatsTheDefinition_ChangesNothing()
    {
        var sameMapping = Definition.Mapping with { Fields = [new FieldMapping("Tier", 7)], Tags = ["vip"] };

        var (_, changed) = ExportDefinitionRules.Apply(Definition,
            new ExportPatch("VIP", "1", ["vip"], sameMapping, LeaveAction.Unsubscribe, ChangeSchedule: true, Schedule: null));

        Assert.Empty(changed);
    }

    [Fact]
    public void ScheduleIsChangedOnlyWhenThePatchSaysSo_EvenToNone()
    {
        var scheduled = Definition with { Schedule = "0 3 * * *" };

        Assert.Empty(ExportDefinitionRules.Apply(scheduled, new ExportPatch(Schedule: null)).Changed);
        var (cleared, changed) = ExportDefinitionRules.Apply(scheduled, new ExportPatch(ChangeSchedule: true, Schedule: null));
        Assert.Equal(["schedule"], changed);
        Assert.Null(cleared.Schedule);
    }

    [Fact]
    public void AlertWebhookIsChangedOnlyWhenThePatchSaysSo_AndNamedAsAField()
    {
        Assert.Empty(ExportDefinitionRules.Apply(Definition, new ExportPatch(AlertWebhook: "https://hooks.example.com/a")).Changed);
        var (set, changed) = ExportDefinitionRules.Apply(Definition, new ExportPatch(ChangeAlertWebhook: true, AlertWebhook: "https://hooks.example.com/a"));
        Assert.Equal(["alertWebhook"], changed);
        Assert.Equal("https://hooks.example.com/a", set.AlertWebhook);
        Assert.Null(ExportDefinitionRules.Apply(set, new ExportPatch(ChangeAlertWebhook: true, AlertWebhook: null)).Definition.AlertWebhook);
    }

    [Fact]
    public void TagsAlone_DoNotChangeTheMappedData()
    {
        Assert.False(ExportDefinitionRules.ChangesMappedData(Definition.Mapping, Definition.Mapping with { Tags = ["other"] }));
        Assert.True(ExportDefinitionRules.ChangesMappedData(Definition.Mapping, Definition.Mapping with { LastName = "LastName" }));
    }

    [Theory]
    [InlineData("displayName")]
    [InlineData("listId")]
    [InlineData("segmentIds")]
    [InlineData("mapping.email")]
    [InlineData("schedule")]
    public void AnInvalidDefinition_NamesTheFieldAtFault(string field)
    {
        var invalid = field switch
        {
            "displayName" => Definition with { DisplayName = " " },
            "listId" => Definition with { ListId = "" },
            "segmentIds" => Definition with { SegmentIds = ["vip", "vip"] },
            "mapping.email" => Definition with { Mapping = Definition.Mapping with { Email = "" } },
            _ => Definition with { Schedule = "every day" },
        };

        Assert.Equal(field, ExportDefinitionRules.Validate(invalid, Hour)?.Field);
        Assert.Null(ExportDefinitionRules.Validate(Definition, Hour));
    }

    [Theory]
    [InlineData("1 ")]
    [InlineData("-1")]
    [InlineData("1e3")]
    [InlineData("../2")]
    [InlineData("1?limit=100")]
    [InlineData("١")]
    [InlineData("1234567890123456789")]
    public void AListIdThatIsNotDigits_IsRefused(string listId)
    {
        var refused = ExportDefinitionRules.Validate(Definition with { ListId = listId }, Hour);

        Assert.Equal("listId", refused?.Field);
        Assert.Contains("digits only", refused!.Detail);
        Assert.Null(ExportDefinitionRules.Validate(Definition with { ListId = "123456789012345678" }, Hour));
    }

    [Theory]
    [InlineData("*/30 * * * *", "0:30:00")]
    [InlineData("0,59 * * * *", "0:59:00")]
    [InlineData("0 0,23 * * *", null)]
    [InlineData("0 * * * *", null)]
    [InlineData("0 3 * * *", null)]
    public void AScheduleWhoseRunsComeCloserThanTheMinimum_IsRefused(string schedule, string? gap)
    {
        var refused = ExportDefinitionRules.Validate(Definition with { Schedule = schedule }, Hour);

        if (gap is null)
        {
            Assert.Null(refused);
        }
        else
        {
            Assert.Equal("schedule", refused?.Field);
            Assert.Contains($"{gap} apart", refused!.Detail);
            Assert.Contains("Export:MinScheduleInterval", refused.Detail);
        }
    }
}

public sealed class ShardRouterTests
{
    private static SegmentEvent Event(string profile, SegmentEventType type = SegmentEventType.Joined) =>
        new(Guid.NewGuid().ToString("N"), "s1", profile, type, DateTimeOffset.UnixEpoch, null, type == SegmentEventType.Joined ? null : "snap-1");

    [Fact]
    public void EveryProfileGoesToOneShard_TheSameForAnyCaller_AndSnapshotsToAll()
    {
        var events = Enumerable.Range(0, 500).Select(i => Event($"p{i}")).Prepend(Event("", SegmentEventType.SnapshotStarted)).ToList();

        var buckets = ShardRouter.Split(events, 8);
        var again = ShardRouter.Split(events.Skip(1).Reverse(), 8);

        Assert.All(buckets, bucket => Assert.Equal(SegmentEventType.SnapshotStarted, bucket![0].Type));
        Assert.Equal(500 + 8, buckets.Sum(b => b!.Count));
        for (var shard = 0; shard < 8; shard++)
        {
            Assert.Equal(buckets[shard]!.Skip(1).Select(e => e.ProfileId).Order(), (again[shard] ?? []).Select(e => e.ProfileId).Order());
        }
    }
}
