using CsCheck;

namespace OrleansExport.ActiveCampaign.Tests;

public sealed class PermitScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly ActiveCampaignLimits RealLimits = new();

    [Fact]
    public void The101stBulkImport_WaitsAFullMinuteAfterTheFirst()
    {
        var schedule = new PermitSchedule(RealLimits);
        var grants = Enumerable.Range(0, 101).Select(_ => schedule.Reserve(RequestKind.BulkImportMulti, T0)).ToList();

        Assert.True(grants[100] - grants[0] >= TimeSpan.FromMinutes(1));
        Assert.True(grants[99] - grants[0] < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void TimeScale_ShrinksTheWindows()
    {
        var schedule = new PermitSchedule(new ActiveCampaignLimits { TimeScale = 60 });
        var grants = Enumerable.Range(0, 101).Select(_ => schedule.Reserve(RequestKind.BulkImportMulti, T0)).ToList();

        Assert.InRange(grants[100] - grants[0], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.1));
    }

    [Fact]
    public void Throttled_GrantsNothingBeforeRetryAfter()
    {
        var schedule = new PermitSchedule(RealLimits);
        schedule.PauseUntil(T0.AddSeconds(10));

        Assert.Equal(T0.AddSeconds(10), schedule.Reserve(RequestKind.Other, T0));
    }

    [Fact]
    public void RequestWindow_KeepsItsMarginOf5Percent_AndImportWindowIts300Milliseconds()
    {
        var schedule = new PermitSchedule(RealLimits);
        var requests = Enumerable.Range(0, 6).Select(_ => schedule.Reserve(RequestKind.Other, T0)).ToList();
        var imports = Enumerable.Range(0, 101).Select(_ => schedule.Reserve(RequestKind.BulkImportMulti, T0.AddMinutes(1))).ToList();

        Assert.Equal(TimeSpan.FromSeconds(1.05), requests[5] - requests[0]);
        Assert.Equal(TimeSpan.FromSeconds(60.3), imports[100] - imports[0]);
    }

    [Fact]
    public void ImportsAreFirstComeFirstServed()
    {
        var schedule = new PermitSchedule(RealLimits);
        var grants = Enumerable.Range(0, 250).Select(i => schedule.Reserve(RequestKind.BulkImportMulti, T0.AddMilliseconds(i))).ToList();

        Assert.Equal(grants.OrderBy(g => g), grants);
        Assert.True(grants[^1] > T0.AddMinutes(2), "250 imports take more than two windows of 100");
    }

    [Fact]
    public void AnotherRequest_TakesTheFirstFreePlace_AheadOfImportsGrantedForLater()
    {
        var schedule = new PermitSchedule(RealLimits);
        var imports = Enumerable.Range(0, 150).Select(_ => schedule.Reserve(RequestKind.BulkImportMulti, T0)).ToList();
        var now = T0.AddSeconds(30);

        // The first 100 imports fill the import window at 5 a second (0 to 21 s); the other 50 wait for it to slide (60.3 s on).
        var poll = schedule.Reserve(RequestKind.Other, now);

        Assert.Equal(now, poll);
        Assert.True(imports[100] > T0.AddSeconds(60), $"the 101st import is granted at {imports[100] - T0}");
        Assert.True(schedule.Reserve(RequestKind.BulkImportMulti, now) > imports[^1], "a new import still queues behind every earlier one");
    }

    /// <summary>For any mix of requests at any times, no sliding window of any limit ever holds more than the limit.</summary>
    [Fact]
    public void NoWindowEverExceedsItsLimit()
    {
        var requests = Gen.Select(Gen.Int[0, 2], Gen.Int[0, 3000]).Array[1, 400];
        requests.Sample(batch =>
        {
            var limits = new ActiveCampaignLimits { TimeScale = 60, SafetyMargin = 0, RequestSafetyMargin = 0, MinimumSafetyMargin = TimeSpan.Zero };
            var schedule = new PermitSchedule(limits);
            var now = T0;
            var grants = new List<(RequestKind Kind, DateTimeOffset At)>();
            foreach (var (kind, gapMicros) in batch)
            {
                now = now.AddTicks(gapMicros * 10L);
                var code = (RequestKind)kind;
                grants.Add((code, schedule.Reserve(code, now)));
            }

            return MaxInAnyWindow(grants.Select(g => g.At), TimeSpan.FromSeconds(1 / limits.TimeScale)) <= 5
                && MaxInAnyWindow(grants.Where(g => g.Kind == RequestKind.BulkImportMulti).Select(g => g.At), TimeSpan.FromMinutes(1 / limits.TimeScale)) <= 100
                && MaxInAnyWindow(grants.Where(g => g.Kind == RequestKind.BulkImportSingle).Select(g => g.At), TimeSpan.FromMinutes(1 / limits.TimeScale)) <= 20;
        }, iter: 300);
    }

    /// <summary>The most grants inside any half-open interval [t, t + length).</summary>
    private static int MaxInAnyWindow(IEnumerable<DateTimeOffset> grants, TimeSpan length)
    {
        var sorted = grants.OrderBy(g => g).ToArray();
        var max = 0;
        for (int start = 0, end = 0; start < sorted.Length; start++)
        {
            while (end < sorted.Length && sorted[end] - sorted[start] < length)
            {
                end++;
            }

            max = Math.Max(max, end - start);
        }

        return max;
    }
}
