using OrleansExport.Grains.Segments;


namespace OrleansExport.UnitTests;

public sealed class RecentLeavesTests
{
    [Fact]
    public void ARememberedLeave_MakesAnOlderJoinStale_ButNotANewerOne()
    {
        var leaves = new RecentLeaves();

        leaves.Record(42, ticks: 100);

        Assert.True(leaves.LeftAfter(42, ticks: 99));
        Assert.False(leaves.LeftAfter(42, ticks: 101));
        Assert.False(leaves.LeftAfter(43, ticks: 0));
    }

    [Fact]
    public void AnOlderLeave_DoesNotReplaceANewerOne()
    {
        var leaves = new RecentLeaves();

        leaves.Record(7, ticks: 200);
        leaves.Record(7, ticks: 150);

        Assert.True(leaves.LeftAfter(7, ticks: 180));
    }

    [Fact]
    public void AnotherProfileInTheSameEntry_TakesItOver()
    {
        var leaves = new RecentLeaves();

        leaves.Record(5, ticks: 100);
        leaves.Record(5 + RecentLeaves.Capacity, ticks: 50);

        Assert.False(leaves.LeftAfter(5, ticks: 0));
        Assert.True(leaves.LeftAfter(5 + RecentLeaves.Capacity, ticks: 0));
    }
}
