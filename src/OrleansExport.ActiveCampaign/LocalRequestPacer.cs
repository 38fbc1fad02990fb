using System.Collections.Concurrent;

namespace OrleansExport.ActiveCampaign;

/// <summary>
/// In-process <see cref="IRequestPacer"/>: one <see cref="SlidingWindowLimiter"/> per account host
/// name. Correct only when this process is the sole sender to those accounts (tests, tools);
/// a cluster shares the budget through a grain-backed pacer instead.
/// </summary>
public sealed class LocalRequestPacer(ActiveCampaignLimits limits, TimeProvider timeProvider) : IRequestPacer
{
    private readonly ConcurrentDictionary<string, SlidingWindowLimiter> limiters = new(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    public async ValueTask AcquireAsync(string hostname, RequestKind kind, CancellationToken cancellationToken)
    {
        var limiter = LimiterFor(hostname);
        while (true)
        {
            TimeSpan delay;
            lock (limiter)
            {
                delay = limiter.TryAcquire(kind);
            }

            if (delay == TimeSpan.Zero)
            {
                return;
            }

            await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask ReportThrottledAsync(string hostname, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        var limiter = LimiterFor(hostname);
        lock (limiter)
        {
            limiter.PauseUntil(timeProvider.GetUtcNow() + retryAfter);
        }

        return ValueTask.CompletedTask;
    }

    private SlidingWindowLimiter LimiterFor(string hostname) =>
        limiters.GetOrAdd(hostname, _ => new SlidingWindowLimiter(limits, timeProvider));
}
