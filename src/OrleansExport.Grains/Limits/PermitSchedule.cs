
namespace OrleansExport.Grains.Limits;

/// <summary>The rate limits of one account, already divided by the time scale.</summary>
/// <param name="SafetyMargin">Fraction of each window added between grants, so requests still arrive spaced correctly despite network jitter.</param>
/// <param name="MinimumSafetyMargin">The smallest such margin, before the time scale divides it.</param>
public sealed record AccountLimits(int RequestsPerSecond, int BulkImportsPerMinute, int SingleContactImportsPerMinute, double TimeScale, double SafetyMargin, TimeSpan MinimumSafetyMargin)
{
    public TimeSpan Second => TimeSpan.FromSeconds(1 / TimeScale);

    public TimeSpan Minute => TimeSpan.FromMinutes(1 / TimeScale);
}

/// <summary>
/// Hands out send times for one ActiveCampaign account, first come first served, so that no
/// sliding window of any limit ever holds more than its limit (a token bucket whose burst equals
/// the per-minute limit could send twice the limit within 60 s). Each window remembers its last
/// <c>limit</c> grants: a new grant may only come one window length (plus a safety margin for
/// network jitter) after the grant <c>limit</c> places before it.
/// </summary>
public sealed class PermitSchedule
{
    private readonly Window _requests;
    private readonly Window _bulkMulti;
    private readonly Window _bulkSingle;
    private DateTimeOffset _lastGrant = DateTimeOffset.MinValue;
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;

    public PermitSchedule(AccountLimits limits)
    {
        _requests = new Window(limits.RequestsPerSecond, limits.Second, limits);
        _bulkMulti = new Window(limits.BulkImportsPerMinute, limits.Minute, limits);
        _bulkSingle = new Window(limits.SingleContactImportsPerMinute, limits.Minute, limits);
    }

    /// <summary>Reserves the earliest allowed send time at or after <paramref name="now"/>.</summary>
    public DateTimeOffset Reserve(RequestKindCode kind, DateTimeOffset now)
    {
        var extra = kind switch
        {
            RequestKindCode.BulkImportMulti => _bulkMulti,
            RequestKindCode.BulkImportSingle => _bulkSingle,
            _ => null,
        };

        // Grants never go back in time, so every window's log stays sorted.
        var at = Max(Max(now, _pausedUntil), _lastGrant);
        at = Max(at, _requests.EarliestNext());
        if (extra is not null)
        {
            at = Max(at, extra.EarliestNext());
        }

        _requests.Record(at);
        extra?.Record(at);
        _lastGrant = at;
        return at;
    }

    /// <summary>ActiveCampaign answered 429 anyway: grant nothing before <paramref name="until"/>.</summary>
    public void PauseUntil(DateTimeOffset until) => _pausedUntil = Max(_pausedUntil, until);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private sealed class Window(int limit, TimeSpan length, AccountLimits limits)
    {
        private readonly Queue<DateTimeOffset> _grants = new(limit);
        private readonly TimeSpan _spacing = length + Max(length * limits.SafetyMargin, limits.MinimumSafetyMargin / limits.TimeScale);

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
