using Microsoft.Extensions.Time.Testing;
using OrleansExport.Grains.Delivery;

namespace OrleansExport.UnitTests;

public sealed class DeliveryHoldTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void ARefusedKey_SaysHowToRotateIt_UntilABatchGoesOutWithANewKey()
    {
        var hold = new DeliveryHold(_time);

        hold.KeyRefused("con-1");
        _time.Advance(DeliveryHold.KeyCheckInterval * 3);

        Assert.False(hold.IsHeld); // it looks for a new key again...
        Assert.Contains("PATCH /api/connections/con-1", hold.Reason); // ...and still says why it waits
        hold.KeyAccepted();
        Assert.Null(hold.Reason);
    }

    [Fact]
    public void AnOpenCircuit_HoldsUntilTheBreakEnds_AndSaysWhen()
    {
        var hold = new DeliveryHold(_time);

        var resumeAt = hold.CircuitOpen("acme.api-us1.com", TimeSpan.FromSeconds(30));

        Assert.True(hold.IsHeld);
        Assert.Contains($"until {resumeAt:HH:mm:ss} UTC", hold.Reason);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(hold.IsHeld);
        Assert.Null(hold.Reason);
    }

    [Fact]
    public void AFailingBatch_HoldsBriefly()
    {
        var hold = new DeliveryHold(_time);

        hold.Failing("HttpRequestException", TimeSpan.FromSeconds(5));

        Assert.Contains("HttpRequestException", hold.Reason);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Null(hold.Reason);
    }
}
