using Microsoft.Extensions.Time.Testing;
using OrleansExport.Grains.Runs;

namespace OrleansExport.UnitTests;

public sealed class CronScheduleTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Drives the schedule the way the reminder does: a look every minute, from the last look up to now.</summary>
    private static List<DateTimeOffset> FireTimes(string expression, TimeSpan duration, Func<DateTimeOffset, bool>? down = null)
    {
        Assert.True(CronSchedule.TryParse(expression, out var cron, out _));
        var time = new FakeTimeProvider(Start);
        var checkedUpTo = time.GetUtcNow();
        var fired = new List<DateTimeOffset>();
        while (time.GetUtcNow() < Start + duration)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            var now = time.GetUtcNow();
            if (down?.Invoke(now) == true)
            {
                continue;
            }

            if (CronSchedule.LatestDue(cron!, checkedUpTo, now) is { } due)
            {
                fired.Add(due);
            }

            checkedUpTo = now;
        }

        return fired;
    }

    [Fact]
    public void DailySchedule_FiresOnceADayAtItsTime()
    {
        var fired = FireTimes("0 2 * * *", TimeSpan.FromDays(3));

        Assert.Equal([Start.AddHours(2), Start.AddDays(1).AddHours(2), Start.AddDays(2).AddHours(2)], fired);
    }

    [Fact]
    public void EveryFifteenMinutes_FiresFourTimesAnHour()
    {
        var fired = FireTimes("*/15 * * * *", TimeSpan.FromHours(1));

        Assert.Equal([15, 30, 45, 60], fired.Select(f => (int)(f - Start).TotalMinutes));
    }

    [Fact]
    public void OccurrencesMissedWhileDown_CollapseIntoOneRun()
    {
        // Down from 00:30 to 05:10: the 01:00 .. 05:00 hourly occurrences become one run, for 05:00.
        var fired = FireTimes("0 * * * *", TimeSpan.FromHours(6), now => now > Start.AddMinutes(30) && now < Start.AddHours(5).AddMinutes(10));

        Assert.Equal([Start.AddHours(5), Start.AddHours(6)], fired);
    }

    [Fact]
    public void InvalidExpression_SaysWhy()
    {
        Assert.False(CronSchedule.TryParse("every tuesday", out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }
}
