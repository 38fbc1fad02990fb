using Cronos;

namespace OrleansExport.Grains.Runs;

/// <summary>When an export's cron schedule (UTC, five fields) wants a run.</summary>
public static class CronSchedule
{
    public static bool TryParse(string expression, out CronExpression? cron, out string? error)
    {
        try
        {
            cron = CronExpression.Parse(expression);
            error = null;
            return true;
        }
        catch (CronFormatException exception)
        {
            cron = null;
            error = exception.Message;
            return false;
        }
    }

    /// <summary>
    /// The latest occurrence in (<paramref name="after"/>, <paramref name="upTo"/>], if any: occurrences
    /// missed while the cluster was down collapse into one run rather than a burst of them.
    /// </summary>
    public static DateTimeOffset? LatestDue(CronExpression cron, DateTimeOffset after, DateTimeOffset upTo)
    {
        DateTimeOffset? latest = null;
        for (var next = cron.GetNextOccurrence(after, TimeZoneInfo.Utc); next is { } at && at <= upTo; next = cron.GetNextOccurrence(at, TimeZoneInfo.Utc))
        {
            latest = at;
        }

        return latest;
    }
}
