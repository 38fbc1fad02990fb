using OrleansExport.Grains.ExportShards;

namespace OrleansExport.UnitTests;

public sealed class RetiredAddressesTests
{
    [Theory]
    [InlineData(OutcomeKind.Accepted, 0)]
    [InlineData(OutcomeKind.OptedOut, 0)]
    [InlineData(OutcomeKind.Returned, 1)]
    [InlineData(OutcomeKind.Unconfirmed, 1)]
    public void AnOptedOutOldAddress_NeedsNoUnsubscribe_AndIsNotSentAgain(OutcomeKind kind, int pendingAfter)
    {
        var retired = new RetiredAddresses(new ExportShardState());
        retired.Retire("p1", "old@example.com");
        var taken = new List<OutgoingContact>();
        retired.Take(taken, 10, _ => false);
        var unsubscribe = Assert.Single(taken);

        Assert.True(retired.TryComplete(new ContactOutcome("p1", ContactAction.Unsubscribe, unsubscribe.Hash, kind, null)));

        Assert.Equal(pendingAfter, retired.Pending);
    }
}
