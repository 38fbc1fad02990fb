namespace OrleansExport.ActiveCampaign;

/// <summary>
/// Paces the requests to one ActiveCampaign account so that no sliding window ever holds more
/// than its limit: requests per second (all kinds), multi-contact imports per minute and
/// single-contact imports per minute, each window divided by <see cref="ActiveCampaignLimits.TimeScale"/>.
/// </summary>
/// <remarks>
/// <para>
/// A log of the last <c>limit</c> grant times per window, not a token bucket: a bucket that
/// holds a minute's worth of tokens lets 2x the limit through in 60 s (a full burst, then the
/// refill), which the server answers with 429. A new grant is allowed once the grant
/// <c>limit</c> places back is at least one window old.
/// </para>
/// <para>
/// Every window is lengthened by a safety margin, <see cref="ActiveCampaignLimits.SafetyMargin"/>
/// of its length (0.5% by default) but at least <see cref="ActiveCampaignLimits.MinimumSafetyMargin"/>,
/// so that requests still arrive correctly spaced at the server when the network delays some of
/// them more than others. With the defaults, 100 imports are spread over 60.3 s: 99.5% of the budget.
/// </para>
/// <para>Not thread-safe: meant for a single-threaded owner such as a grain; lock around it otherwise.</para>
/// </remarks>
public sealed class SlidingWindowLimiter
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly TimeProvider timeProvider;
    private readonly long origin;
    private readonly GrantLog requests;
    private readonly GrantLog multiImports;
    private readonly GrantLog singleImports;
    private TimeSpan pausedUntil;

    public SlidingWindowLimiter(ActiveCampaignLimits limits, TimeProvider timeProvider)
    {
        this.timeProvider = timeProvider;
        origin = timeProvider.GetTimestamp();
        requests = new GrantLog(limits.RequestsPerSecond, PacedWindow(Second, limits));
        multiImports = new GrantLog(limits.BulkImportsPerMinute, PacedWindow(Minute, limits));
        singleImports = new GrantLog(limits.SingleContactImportsPerMinute, PacedWindow(Minute, limits));
    }

    /// <summary>Zero when a request of <paramref name="kind"/> may be sent now, else how long to wait before asking again.</summary>
    public TimeSpan GetDelay(RequestKind kind)
    {
        var now = Now;
        var delay = Max(pausedUntil - now, requests.DelayAt(now));
        return KindLog(kind) is { } log ? Max(delay, log.DelayAt(now)) : delay;
    }

    /// <summary>Counts a request of <paramref name="kind"/> as sent now.</summary>
    public void Record(RequestKind kind)
    {
        var now = Now;
        requests.Record(now);
        KindLog(kind)?.Record(now);
    }

    /// <summary>Records the request and returns zero if it may go now; otherwise records nothing and returns the wait.</summary>
    public TimeSpan TryAcquire(RequestKind kind)
    {
        var delay = GetDelay(kind);
        if (delay == TimeSpan.Zero)
        {
            Record(kind);
        }

        return delay;
    }

    /// <summary>Hands out nothing before <paramref name="until"/> (a 429's Retry-After). An earlier time than a pause in force changes nothing.</summary>
    public void PauseUntil(DateTimeOffset until)
    {
        var resumeAt = Now + (until - timeProvider.GetUtcNow());
        pausedUntil = Max(pausedUntil, resumeAt);
    }

    private TimeSpan Now => timeProvider.GetElapsedTime(origin);

    private GrantLog? KindLog(RequestKind kind) => kind switch
    {
        RequestKind.BulkImportMulti => multiImports,
        RequestKind.BulkImportSingle => singleImports,
        _ => null,
    };

    private static TimeSpan PacedWindow(TimeSpan window, ActiveCampaignLimits limits)
    {
        var margin = Max(window * limits.SafetyMargin, limits.MinimumSafetyMargin);
        return (window + margin) / limits.TimeScale;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>The last <c>limit</c> grant times of one window, oldest first.</summary>
    private sealed class GrantLog(int limit, TimeSpan window)
    {
        private readonly Queue<TimeSpan> grants = new(limit);

        public TimeSpan DelayAt(TimeSpan now) =>
            grants.Count < limit ? TimeSpan.Zero : Max(TimeSpan.Zero, grants.Peek() + window - now);

        public void Record(TimeSpan now)
        {
            if (grants.Count == limit)
            {
                grants.Dequeue();
            }

            grants.Enqueue(now);
        }
    }
}
