using Cronos;

namespace OrleansExport.Grains.Runs;

/// <summary>
/// How close together a schedule's runs come (<c>Export:MinScheduleInterval</c> keeps them apart: every run
/// reads every member and costs the account's request budget).
/// </summary>
public static class ScheduleSpacing
{
    // Four years from a leap year's first day: every gap a five-field UTC schedule has in practice, Feb 29 included.
    private static readonly DateTimeOffset From = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = From.AddYears(4);

    /// <summary>The first two consecutive runs less than <paramref name="minimum"/> apart, or null when there are none.</summary>
    public static (DateTimeOffset First, DateTimeOffset Second)? FirstTooClose(CronExpression cron, TimeSpan minimum)
    {
        if (minimum <= TimeSpan.Zero)
        {
            return null;
        }

        DateTimeOffset? previous = null;
        foreach (var at in cron.GetOccurrences(From, To, TimeZoneInfo.Utc))
        {
            if (previous is { } before && at - before < minimum)
            {
                return (before, at);
            }

            previous = at;
        }

        return null;
    }
}
