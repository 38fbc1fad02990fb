using Microsoft.Extensions.Time.Testing;

namespace OrleansExport.ActiveCampaign.Tests;

public sealed class AnsweredRequestWindowsTests
{
    private const string Host = "acme.api-us1.com";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider time = new();

    [Fact]
    public async Task SixthRequest_WaitsUntilOneWindowAfterTheFirstAnswer()
    {
        var windows = new AnsweredRequestWindows(new ActiveCampaignLimits(), time);
        for (var i = 0; i < 5; i++)
        {
            await windows.AcquireAsync(Host, RequestKind.Other, CancellationToken.None);
        }

        var sixth = windows.AcquireAsync(Host, RequestKind.Other, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(sixth.IsCompleted); // no answer yet: the slot stays taken however long the request takes

        windows.Completed(Host, RequestKind.Other);
        time.Advance(TimeSpan.FromMilliseconds(1_000));
        Assert.False(sixth.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await sixth.WaitAsync(Wait);
    }

    [Fact]
    public async Task MultiContactImports_HaveTheirOwnWindow_AndStillCountAsRequests()
    {
        var windows = new AnsweredRequestWindows(new ActiveCampaignLimits { BulkImportsPerMinute = 2, TimeScale = 60 }, time);
        await windows.AcquireAsync(Host, RequestKind.BulkImportMulti, CancellationToken.None);
        await windows.AcquireAsync(Host, RequestKind.BulkImportMulti, CancellationToken.None);
        windows.Completed(Host, RequestKind.BulkImportMulti);
        windows.Completed(Host, RequestKind.BulkImportMulti);

        var third = windows.AcquireAsync(Host, RequestKind.BulkImportMulti, CancellationToken.None).AsTask();
        await windows.AcquireAsync(Host, RequestKind.Other, CancellationToken.None);

        Assert.False(third.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1_001)); // one minute / 60, plus the timer's millisecond
        await third.WaitAsync(Wait);
    }

    [Fact]
    public async Task CancelledWait_GivesBackTheImportSlot()
    {
        var windows = new AnsweredRequestWindows(new ActiveCampaignLimits { RequestsPerSecond = 1, BulkImportsPerMinute = 1 }, time);
        await windows.AcquireAsync(Host, RequestKind.Other, CancellationToken.None);
        using var cancellation = new CancellationTokenSource();

        var import = windows.AcquireAsync(Host, RequestKind.BulkImportMulti, cancellation.Token).AsTask();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => import);
        windows.Completed(Host, RequestKind.Other);
        time.Advance(TimeSpan.FromMilliseconds(1_001));
        await windows.AcquireAsync(Host, RequestKind.BulkImportMulti, CancellationToken.None).AsTask().WaitAsync(Wait);
    }

    [Fact]
    public async Task Accounts_DoNotShareSlots()
    {
        var windows = new AnsweredRequestWindows(new ActiveCampaignLimits { RequestsPerSecond = 1 }, time);
        await windows.AcquireAsync(Host, RequestKind.Other, CancellationToken.None);

        await windows.AcquireAsync("other.api-us1.com", RequestKind.Other, CancellationToken.None).AsTask().WaitAsync(Wait);
        Assert.False(windows.AcquireAsync(Host.ToUpperInvariant(), RequestKind.Other, CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task WaitingImport_GetsTheNextRequestSlotBeforeEarlierOtherRequests()
    {
        var windows = new AnsweredRequestWindows(new ActiveCampaignLimits { RequestsPerSecond = 1 }, time);
        await windows.AcquireAsync(Host, RequestKind.Other, CancellationToken.None);
        var info = windows.AcquireAsync(Host, RequestKind.Other, CancellationToken.None).AsTask();
        var import = windows.AcquireAsync(Host, RequestKind.BulkImportMulti, CancellationToken.None).AsTask();

        windows.Completed(Host, RequestKind.Other);
        time.Advance(TimeSpan.FromMilliseconds(1_001));

        await import.WaitAsync(Wait);
        Assert.False(info.IsCompleted);
        windows.Completed(Host, RequestKind.BulkImportMulti);
        time.Advance(TimeSpan.FromMilliseconds(1_001));
        await info.WaitAsync(Wait);
    }
}
