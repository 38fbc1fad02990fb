namespace OrleansExport.ActiveCampaign;

/// <summary>
/// Hands out send times for one ActiveCampaign account, first come first served, so that no
/// sliding window of any limit ever holds more than its limit (a token bucket whose burst equals
/// the per-minute limit could send twice the limit within 60 s). Each window remembers its last
/// <c>limit</c> grants: a new grant may only come one window length, plus a safety margin for
/// network jitter, after the grant <c>limit</c> places before it. Not thread-safe: one owner
/// (a grain, or a lock) serialises the calls.
/// </summary>
public sealed class PermitSchedule
{
    private readonly Window _requests;
    private readonly Window _bulkMulti;
    private readonly Window _bulkSingle;
    private DateTimeOffset _lastGrant = DateTimeOffset.MinValue;
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;

    public PermitSchedule(ActiveCampaignLimits limits)
    {
        var second = TimeSpan.FromSeconds(1 / limits.TimeScale);
        var minute = TimeSpan.FromMinutes(1 / limits.TimeScale);
        var minimumMargin = limits.MinimumSafetyMargin / limits.TimeScale;
        _requests = new Window(limits.RequestsPerSecond, second, Max(second * limits.RequestSafetyMargin, minimumMargin));
        _bulkMulti = new Window(limits.BulkImportsPerMinute, minute, Max(minute * limits.SafetyMargin, minimumMargin));
        _bulkSingle = new Window(limits.SingleContactImportsPerMinute, minute, Max(minute * limits.SafetyMargin, minimumMargin));
    }

    /// <summary>Reserves the earliest allowed send time at or after <paramref name="now"/>.</summary>
    public DateTimeOffset Reserve(RequestKind kind, DateTimeOffset now)
    {
        var imports = kind switch
        {
            RequestKind.BulkImportMulti => _bulkMulti,
            RequestKind.BulkImportSingle => _bulkSingle,
            _ => null,
        };

        // Grants never go back in time, so every window's log stays sorted.
        var at = Max(Max(now, _pausedUntil), _lastGrant);
        at = Max(at, _requests.EarliestNext());
        if (imports is not null)
        {
            at = Max(at, imports.EarliestNext());
        }

        _requests.Record(at);
        imports?.Record(at);
        _lastGrant = at;
        return at;
    }

    /// <summary>ActiveCampaign answered 429 anyway: grant nothing before <paramref name="until"/>.</summary>
    public void PauseUntil(DateTimeOffset until) => _pausedUntil = Max(_pausedUntil, until);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private sealed class Window(int limit, TimeSpan length, TimeSpan margin)
    {
        private readonly Queue<DateTimeOffset> _grants = new(limit);
        private readonly TimeSpan _spacing = length + margin;

        public DateTimeOffset EarliestNext() =>
            _grants.Count < limit ? DateTimeOffset.MinValue : _grants.Peek() + _spacing;

        public void Record(DateTimeOffset at)
        {
            if (_grants.Count == limit)
            {
                _grants.Dequeue();
            }

            _grants.Enqueue(at);
        }
    }
}
