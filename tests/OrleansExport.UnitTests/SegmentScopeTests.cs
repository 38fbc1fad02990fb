namespace OrleansExport.UnitTests;

public sealed class SegmentScopeTests
{
    [Fact]
    public void NoEntries_ReachesEverySegment()
    {
        var scope = SegmentScope.Of([]);

        Assert.True(scope.IsUnscoped);
        Assert.True(scope.Contains("anything"));
        Assert.Null(scope.FirstOutside(["a", "b"]));
    }

    [Fact]
    public void ExactIds_MatchThemselvesOnly()
    {
        var scope = SegmentScope.Of(["vip", "high-value"]);

        Assert.True(scope.Contains("vip"));
        Assert.True(scope.Contains("high-value"));
        Assert.False(scope.Contains("vip2"));
        Assert.False(scope.Contains("VIP"));
        Assert.False(scope.Contains("vi"));
    }

    [Fact]
    public void PrefixEndingInAStar_MatchesEveryIdStartingWithIt()
    {
        var scope = SegmentScope.Of(["eu-*", "vip"]);

        Assert.True(scope.Contains("eu-"));
        Assert.True(scope.Contains("eu-high-value"));
        Assert.False(scope.Contains("us-eu-high-value"));
        Assert.False(scope.Contains("EU-high-value"));
        Assert.Equal("us-1", scope.FirstOutside(["eu-1", "vip", "us-1", "us-2"]));
        Assert.Equal("eu-*, vip", scope.ToString());
    }

    [Fact]
    public void LoneStar_ReachesEverySegmentButIsStillAScope()
    {
        var scope = SegmentScope.Of(["*"]);

        Assert.False(scope.IsUnscoped);
        Assert.True(scope.Contains("anything"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("eu-*-x")]
    [InlineData("*eu")]
    public void InvalidEntries_AreRefusedWithAReason(string entry)
    {
        Assert.NotNull(SegmentScope.InvalidEntry(entry));
        Assert.Throws<ArgumentException>(() => SegmentScope.Of([entry]));
    }

    [Fact]
    public void DeadLetterCollector_CountsEveryLetterButListsNoMoreThanTheGrainKeeps()
    {
        var collector = new DeadLetterCollector();
        var built = 0;
        for (var i = 0; i < 25_000; i++)
        {
            collector.Add(i % 5 == 0 ? DeadLetterKind.OutOfScope : DeadLetterKind.Malformed, () =>
            {
                built++;
                return new DeadLetter("api", DeadLetterKind.Malformed, $"e{i}", "s", "p", "bad", DateTimeOffset.UnixEpoch);
            });
        }

        var batch = collector.ToBatch();
        Assert.Equal(20_000, batch.Malformed);
        Assert.Equal(5_000, batch.OutOfScope);
        Assert.Equal(IDeadLetterGrain.MaxKept, batch.Listed.Count);
        Assert.Equal(IDeadLetterGrain.MaxKept, built);
    }
}
