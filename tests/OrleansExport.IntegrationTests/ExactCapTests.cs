namespace OrleansExport.IntegrationTests;

/// <summary>A host with <c>Export:MaxProfilesPerExport=100</c> and eight shards per export.</summary>
public sealed class ExactCapFixture : SiloFixture
{
    public const int MaxProfilesPerExport = 100;

    protected override IEnumerable<string> ExtraArgs() => [$"--Export:MaxProfilesPerExport={MaxProfilesPerExport}", "--Export:ShardCount=8"];
}

/// <remarks>A host of its own: it runs after the parallel collections (see <see cref="WebhookCollection"/>), so that its start and stop cannot take Orleans' meters out of <c>MetricsTests</c>' scrape.</remarks>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExactCapCollection : ICollectionFixture<ExactCapFixture>
{
    public const string Name = "exact caps";
}

/// <summary>
/// Caps hold exactly when many members arrive at once in many shards: the per-export cap and a connection's
/// profileCap shared by two exports (the connection grants both in one step).
/// </summary>
[Collection(ExactCapCollection.Name)]
public sealed class ExactCapTests(ExactCapFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static IEnumerable<SegmentEvent> Joins(string segment, string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => Api.Joined(segment, $"{prefix}{i}", $"{prefix}{i}@example.com", T0));

    private async Task<(long Members, long SkippedByCap)> CountsAsync(string export)
    {
        var status = await Api.GetExportAsync(fixture, export);
        return (status.GetProperty("members").GetInt64(), status.GetProperty("skippedByCap").GetInt64());
    }

    [Fact]
    public async Task TwoThousandMembersAtOnce_FillThePerExportCapExactly()
    {
        const string segment = "seg-exact-cap";
        var list = fixture.Simulator.State.NewList("exact-cap");
        var connection = await Api.CreateConnectionAsync(fixture);
        var export = await Api.CreateExportAsync(fixture, connection, segment, list);

        await Api.PostEventsAsync(fixture, Joins(segment, "ec", 2000));

        await Api.EventuallyAsync(async () => await CountsAsync(export) is var (members, skipped) && members + skipped == 2000,
            "every join to be applied", describe: async () => $"{await CountsAsync(export)}");
        Assert.Equal((100L, 1900L), await CountsAsync(export));
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, list).Count >= 100), "the members to reach the list");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(ExactCapFixture.MaxProfilesPerExport, Api.SubscribedEmails(fixture, list).Count);
    }

    [Fact]
    public async Task TwoExportsRacingForAConnectionsProfileCap_TakeExactlyTheCapBetweenThem()
    {
        var connection = await Api.CreateConnectionAsync(fixture, profileCap: 150);
        var exportA = await Api.CreateExportAsync(fixture, connection, "seg-race-a", fixture.Simulator.State.NewList("race-a"));
        var exportB = await Api.CreateExportAsync(fixture, connection, "seg-race-b", fixture.Simulator.State.NewList("race-b"));

        await Task.WhenAll(Api.PostEventsAsync(fixture, Joins("seg-race-a", "ra", 1000)), Api.PostEventsAsync(fixture, Joins("seg-race-b", "rb", 1000)));

        await Api.EventuallyAsync(async () =>
            {
                var (a, b) = (await CountsAsync(exportA), await CountsAsync(exportB));
                return a.Members + a.SkippedByCap == 1000 && b.Members + b.SkippedByCap == 1000;
            }, "every join to be applied", describe: async () => $"{await CountsAsync(exportA)} {await CountsAsync(exportB)}");
        var (membersA, _) = await CountsAsync(exportA);
        var (membersB, _) = await CountsAsync(exportB);
        Assert.True(membersA <= 100 && membersB <= 100, $"each export within its own cap of 100: {membersA}, {membersB}");
        Assert.Equal(150L, membersA + membersB);
    }
}
