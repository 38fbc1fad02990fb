using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace OrleansExport.ActiveCampaign.Tests;

public sealed class SlidingWindowLimiterTests
{
    private static readonly TimeSpan PacedMinute = TimeSpan.FromSeconds(60.3); // 60 s + 0.5%

    private readonly FakeTimeProvider time = new();

    [Fact]
    public void The101stMultiImport_WaitsUntilTheFirstIsAMinutePlusMarginOld()
    {
        var limiter = new SlidingWindowLimiter(new ActiveCampaignLimits(), time);
        var start = time.GetUtcNow();

        SendAsSoonAsAllowed(limiter, RequestKind.BulkImportMulti, count: 100);
        var delay = limiter.GetDelay(RequestKind.BulkImportMulti);

        Assert.Equal(start + PacedMinute, time.GetUtcNow() + delay);
        time.Advance(delay - TimeSpan.FromTicks(1));
        Assert.Equal(TimeSpan.FromTicks(1), limiter.TryAcquire(RequestKind.BulkImportMulti));
        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(TimeSpan.Zero, limiter.TryAcquire(RequestKind.BulkImportMulti));
    }

    [Fact]
    public void RequestsPerSecond_AreSpacedByASecondPlusTheMinimumMargin()
    {
        var limiter = new SlidingWindowLimiter(new ActiveCampaignLimits(), time);

        SendAsSoonAsAllowed(limiter, RequestKind.Other, count: 5);

        Assert.Equal(TimeSpan.FromMilliseconds(1_050), limiter.GetDelay(RequestKind.Other));
    }

    [Fact]
    public void SingleAndMultiImports_HaveSeparateBudgets_AndOtherRequestsUseNeither()
    {
        var limiter = new SlidingWindowLimiter(new ActiveCampaignLimits { RequestsPerSecond = 1_000 }, time);

        SendAsSoonAsAllowed(limiter, RequestKind.BulkImportSingle, count: 20);

        Assert.NotEqual(TimeSpan.Zero, limiter.GetDelay(RequestKind.BulkImportSingle));
        Assert.Equal(TimeSpan.Zero, limiter.GetDelay(RequestKind.BulkImportMulti));
        Assert.Equal(TimeSpan.Zero, limiter.GetDelay(RequestKind.Other));
    }

    [Fact]
    public void TimeScale_ShrinksEveryWindow()
    {
        var limiter = new SlidingWindowLimiter(new ActiveCampaignLimits { TimeScale = 60, RequestsPerSecond = 1_000 }, time);
        var start = time.GetUtcNow();

        SendAsSoonAsAllowed(limiter, RequestKind.BulkImportMulti, count: 100);

        Assert.Equal(start + (PacedMinute / 60), time.GetUtcNow() + limiter.GetDelay(RequestKind.BulkImportMulti));
    }

    [Fact]
    public void PauseUntil_HoldsEveryKind_AndAnEarlierPauseDoesNotShortenIt()
    {
        var limiter = new SlidingWindowLimiter(new ActiveCampaignLimits(), time);

        limiter.PauseUntil(time.GetUtcNow().AddSeconds(3));
        limiter.PauseUntil(time.GetUtcNow().AddSeconds(1));

        Assert.All(Enum.GetValues<RequestKind>(), kind => Assert.Equal(TimeSpan.FromSeconds(3), limiter.GetDelay(kind)));
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.Zero, limiter.TryAcquire(RequestKind.BulkImportMulti));
    }

    [Fact]
    public void GreedySender_UsesAtLeast98PercentOfTheImportBudget()
    {
        var limiter = new SlidingWindowLimiter(new ActiveCampaignLimits(), time);
        var end = time.GetUtcNow().AddHours(1);
        var sent = 0;

        while (time.GetUtcNow() < end)
        {
            var delay = limiter.TryAcquire(RequestKind.BulkImportMulti);
            if (delay == TimeSpan.Zero)
            {
                sent++;
            }

            time.Advance(delay);
        }

        Assert.InRange(sent, (int)(0.98 * 100 * 60), 100 * 60);
    }

    [Fact]
    public void SendingOnlyWhenAllowed_NeverExceedsAnyLimitInAnyWindow()
    {
        var limits = Gen.Select(Gen.Int[1, 6], Gen.Int[1, 12], Gen.Int[1, 4], Gen.OneOf(1.0, 60.0), Gen.OneOf(0.0, 0.02, 0.1))
            .Select((perSecond, multi, single, scale, margin) => new ActiveCampaignLimits
            {
                RequestsPerSecond = perSecond,
                BulkImportsPerMinute = multi,
                SingleContactImportsPerMinute = single,
                TimeScale = scale,
                SafetyMargin = margin,
                MinimumSafetyMargin = margin == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(50),
            });
        var advance = Gen.Frequency(
            (6, Gen.Int[0, 50].Select(ms => TimeSpan.FromMilliseconds(ms))),
            (3, Gen.Int[0, 2_000].Select(ms => TimeSpan.FromMilliseconds(ms))),
            (1, Gen.Int[0, 90_000].Select(ms => TimeSpan.FromMilliseconds(ms))));
        var step = Gen.Select(Gen.Enum<RequestKind>(), advance, Gen.Bool);

        Gen.Select(limits, step.Array[1, 400]).Sample((limits, steps) =>
        {
            var clock = new FakeTimeProvider();
            var limiter = new SlidingWindowLimiter(limits, clock);
            var grants = new List<(RequestKind Kind, DateTimeOffset At)>();

            foreach (var (kind, wait, waitExactly) in steps)
            {
                clock.Advance(wait);
                var delay = limiter.GetDelay(kind);
                if (delay > TimeSpan.Zero && waitExactly)
                {
                    clock.Advance(delay);
                    Assert.Equal(TimeSpan.Zero, limiter.GetDelay(kind)); // a delay is never too short
                }

                if (limiter.TryAcquire(kind) == TimeSpan.Zero)
                {
                    grants.Add((kind, clock.GetUtcNow()));
                }
            }

            AssertNoWindowExceeded(grants.Select(g => g.At), limits.RequestsPerSecond, TimeSpan.FromSeconds(1) / limits.TimeScale);
            AssertNoWindowExceeded(grants.Where(g => g.Kind == RequestKind.BulkImportMulti).Select(g => g.At), limits.BulkImportsPerMinute, TimeSpan.FromMinutes(1) / limits.TimeScale);
            AssertNoWindowExceeded(grants.Where(g => g.Kind == RequestKind.BulkImportSingle).Select(g => g.At), limits.SingleContactImportsPerMinute, TimeSpan.FromMinutes(1) / limits.TimeScale);
        }, iter: 500);
    }

    // Any window of length L holding more than `limit` grants can be slid to start at its first
    // grant, so checking the windows that start at each grant covers them all.
    private static void AssertNoWindowExceeded(IEnumerable<DateTimeOffset> grantTimes, int limit, TimeSpan window)
    {
        var times = grantTimes.ToArray();
        for (var first = 0; first < times.Length; first++)
        {
            var inWindow = times.Skip(first).TakeWhile(t => t < times[first] + window).Count();
            Assert.True(inWindow <= limit, $"{inWindow} grants within {window} from {times[first]:O}, limit {limit}");
        }
    }

    private void SendAsSoonAsAllowed(SlidingWindowLimiter limiter, RequestKind kind, int count)
    {
        for (var sent = 0; sent < count;)
        {
            var delay = limiter.TryAcquire(kind);
            if (delay == TimeSpan.Zero)
            {
                sent++;
            }

            time.Advance(delay);
        }
    }
}
