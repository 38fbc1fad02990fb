using Microsoft.Extensions.Time.Testing;

namespace OrleansExport.ActiveCampaign.Tests;

public sealed class LocalRequestPacerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider time = new();

    [Fact]
    public async Task SixthRequestInASecond_WaitsForTheWindow()
    {
        var pacer = new LocalRequestPacer(new ActiveCampaignLimits(), time);
        for (var i = 0; i < 5; i++)
        {
            await pacer.AcquireAsync("acme.api-us1.com", RequestKind.Other, CancellationToken.None);
        }

        var sixth = pacer.AcquireAsync("ACME.api-us1.com", RequestKind.Other, CancellationToken.None).AsTask();
        var otherAccount = pacer.AcquireAsync("other.api-us1.com", RequestKind.Other, CancellationToken.None).AsTask();

        Assert.True(otherAccount.IsCompletedSuccessfully);
        Assert.False(sixth.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1_249));
        Assert.False(sixth.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await sixth.WaitAsync(Wait);
    }

    [Fact]
    public async Task ReportThrottled_PausesTheAccount()
    {
        var pacer = new LocalRequestPacer(new ActiveCampaignLimits(), time);

        await pacer.ReportThrottledAsync("acme.api-us1.com", TimeSpan.FromSeconds(2), CancellationToken.None);
        var next = pacer.AcquireAsync("acme.api-us1.com", RequestKind.BulkImportMulti, CancellationToken.None).AsTask();

        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(2));
        await next.WaitAsync(Wait);
    }

    [Fact]
    public async Task CancelledWait_ThrowsAndItsReservedSlotIsNotHandedOutTwice()
    {
        var pacer = new LocalRequestPacer(new ActiveCampaignLimits { RequestsPerSecond = 1 }, time);
        await pacer.AcquireAsync("acme.api-us1.com", RequestKind.Other, CancellationToken.None);
        using var cancellation = new CancellationTokenSource();

        var waiting = pacer.AcquireAsync("acme.api-us1.com", RequestKind.Other, cancellation.Token).AsTask();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Wait));
        var next = pacer.AcquireAsync("acme.api-us1.com", RequestKind.Other, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(1.25));
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1.25));
        await next.WaitAsync(Wait);
    }
}
