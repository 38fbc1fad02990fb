using Microsoft.Extensions.Time.Testing;

namespace OrleansExport.Simulator.Tests;

public sealed class SlidingWindowTests
{
    [Fact]
    public void UnderRandomTraffic_NeverAdmitsMoreThanTheLimitInAnyWindow_AndNeverRefusesWithRoomLeft()
    {
        var time = new FakeTimeProvider();
        var windowLength = TimeSpan.FromSeconds(1);
        var window = new SlidingWindow(5, windowLength, time);
        var random = new Random(12345);
        var admitted = new List<DateTimeOffset>();
        int refusals = 0;

        for (int i = 0; i < 5_000; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 120)));
            var now = time.GetUtcNow();
            int inWindow = admitted.Count(t => t > now - windowLength);
            var decision = window.TryAcquire();
            if (decision.Admitted)
            {
                Assert.True(inWindow < 5, $"admitted with {inWindow} calls already in the window");
                Assert.Equal(5 - inWindow - 1, decision.Remaining);
                admitted.Add(now);
            }
            else
            {
                refusals++;
                Assert.Equal(5, inWindow);
                var oldest = admitted.First(t => t > now - windowLength);
                Assert.Equal(oldest + windowLength - now, decision.RetryAfter);
            }
        }

        Assert.InRange(refusals, 1, 4_999); // the traffic both hit and stayed under the limit
    }

    [Fact]
    public void WaitingExactlyRetryAfter_IsAdmitted()
    {
        var time = new FakeTimeProvider();
        var window = new SlidingWindow(2, TimeSpan.FromSeconds(1), time);

        Assert.True(window.TryAcquire().Admitted);
        time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.True(window.TryAcquire().Admitted);
        var refused = window.TryAcquire();
        time.Advance(refused.RetryAfter - TimeSpan.FromTicks(1));
        bool admittedEarly = window.TryAcquire().Admitted;
        time.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(TimeSpan.FromMilliseconds(700), refused.RetryAfter);
        Assert.False(admittedEarly);
        Assert.True(window.TryAcquire().Admitted);
    }

    [Fact]
    public void TimeScale_DividesEveryWindow()
    {
        var time = new FakeTimeProvider();
        var windows = new RateWindows(new SimulatorOptions { TimeScale = 60 }, time);

        for (int i = 0; i < 5; i++)
        {
            Assert.True(windows.Requests.TryAcquire().Admitted);
        }

        for (int i = 0; i < 100; i++)
        {
            Assert.True(windows.MultiContactImports.TryAcquire().Admitted);
        }

        var request = windows.Requests.TryAcquire();
        var import = windows.MultiContactImports.TryAcquire();

        Assert.False(request.Admitted);
        Assert.InRange(request.RetryAfter, TimeSpan.FromSeconds(1) / 60, TimeSpan.FromSeconds(1) / 60 + TimeSpan.FromTicks(1));
        Assert.False(import.Admitted);
        Assert.Equal(TimeSpan.FromSeconds(1), import.RetryAfter);
    }
}
