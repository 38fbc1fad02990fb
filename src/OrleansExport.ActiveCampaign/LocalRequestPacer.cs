using System.Collections.Concurrent;

namespace OrleansExport.ActiveCampaign;

/// <summary>
/// In-process <see cref="IRequestPacer"/>: one <see cref="PermitSchedule"/> per account host
/// name. Correct only when this process is the sole sender to those accounts (tests, tools);
/// a cluster shares the budget through a grain-backed pacer instead.
/// </summary>
public sealed class LocalRequestPacer(ActiveCampaignLimits limits, TimeProvider timeProvider) : IRequestPacer
{
    private readonly ConcurrentDictionary<string, PermitSchedule> schedules = new(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    public async ValueTask AcquireAsync(string hostname, RequestKind kind, CancellationToken cancellationToken)
    {
        var schedule = ScheduleFor(hostname);
        DateTimeOffset now, at;
        lock (schedule)
        {
            now = timeProvider.GetUtcNow();
            at = schedule.Reserve(kind, now);
        }

        if (at > now)
        {
            await Task.Delay(at - now, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask ReportThrottledAsync(string hostname, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        var schedule = ScheduleFor(hostname);
        lock (schedule)
        {
            schedule.PauseUntil(timeProvider.GetUtcNow() + retryAfter);
        }

        return ValueTask.CompletedTask;
    }

    private PermitSchedule ScheduleFor(string hostname) =>
        schedules.GetOrAdd(hostname, _ => new PermitSchedule(limits));
}
