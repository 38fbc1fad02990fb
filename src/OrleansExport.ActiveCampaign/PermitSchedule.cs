namespace OrleansExport.ActiveCampaign;

/// <summary>
/// Hands out send times for one ActiveCampaign account so that no sliding window of any limit ever holds
/// more than its limit (a token bucket whose burst equals the per-minute limit could send twice the limit
/// within 60 s). A new grant may only come one window length, plus a safety margin for network jitter,
/// after the grant <c>limit</c> places before it. Bulk imports are served first come first served; any other
/// request takes the earliest free place in the requests-per-second window, ahead of imports that wait for
/// their own, scarcer, window: an import's import/info poll need not wait behind every import queued after it.
/// Not thread-safe: one owner (a grain, or a lock) serialises the calls.
/// </summary>
public sealed class PermitSchedule
{
    private readonly RequestWindow _requests;
    private readonly Window _bulkMulti;
    private readonly Window _bulkSingle;
    private DateTimeOffset _lastImportGrant = DateTimeOffset.MinValue;
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;

    public PermitSchedule(ActiveCampaignLimits limits)
    {
        var second = TimeSpan.FromSeconds(1 / limits.TimeScale);
        var minute = TimeSpan.FromMinutes(1 / limits.TimeScale);
        var minimumMargin = limits.MinimumSafetyMargin / limits.TimeScale;
        _requests = new RequestWindow(limits.RequestsPerSecond, second + Max(second * limits.RequestSafetyMargin, minimumMargin));
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

        var at = Max(now, _pausedUntil);
        if (imports is not null)
        {
            // Imports never go back in time, so each import window's log stays sorted.
            at = Max(Max(at, _lastImportGrant), imports.EarliestNext());
        }

        at = _requests.EarliestFree(now, at);
        _requests.Record(at);
        if (imports is not null)
        {
            imports.Record(at);
            _lastImportGrant = at;
        }

        return at;
    }

    /// <summary>ActiveCampaign answered 429 anyway: grant nothing before <paramref name="until"/>.</summary>
    public void PauseUntil(DateTimeOffset until) => _pausedUntil = Max(_pausedUntil, until);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>A window whose grants come in order: the last <c>limit</c> of them tell when the next may come.</summary>
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

    /// <summary>
    /// The requests-per-second window, whose grants may come out of order (a request placed before imports
    /// granted for later): every grant from one spacing before the earliest time asked for on is kept, sorted, and
    /// a new one goes where no <c>limit + 1</c> consecutive grants would lie within one spacing.
    /// </summary>
    private sealed class RequestWindow(int limit, TimeSpan spacing)
    {
        private readonly List<DateTimeOffset> _grants = [];

        // No grant goes before the latest "now" seen (a clock that steps back waits for it), so the grants
        // dropped, all older than one spacing before it, can never share a window with a new one.
        private DateTimeOffset _floor = DateTimeOffset.MinValue;

        /// <summary>The earliest free time at or after <paramref name="from"/> (itself at or after <paramref name="now"/>).</summary>
        public DateTimeOffset EarliestFree(DateTimeOffset now, DateTimeOffset from)
        {
            _floor = now > _floor ? now : _floor;
            var drop = _grants.FindIndex(g => g > _floor - spacing);
            _grants.RemoveRange(0, drop < 0 ? _grants.Count : drop);

            // Whether a time is free changes only where a grant leaves the windows around it: one spacing after it.
            var earliest = from > _floor ? from : _floor;
            if (Fits(earliest))
            {
                return earliest;
            }

            foreach (var grant in _grants)
            {
                if (grant + spacing > earliest && Fits(grant + spacing))
                {
                    return grant + spacing;
                }
            }

            throw new InvalidOperationException("Unreachable: one spacing after the last grant is always free.");
        }

        public void Record(DateTimeOffset at)
        {
            var index = _grants.BinarySearch(at);
            _grants.Insert(index < 0 ? ~index : index, at);
        }

        /// <summary>Whether every run of <c>limit + 1</c> consecutive grants that would include <paramref name="at"/> spans one spacing.</summary>
        private bool Fits(DateTimeOffset at)
        {
            var index = _grants.BinarySearch(at);
            var position = index < 0 ? ~index : index;

            // The i-th grant of the list with the new one inserted at its place, without copying the list.
            DateTimeOffset WithNew(int i) => i < position ? _grants[i] : i == position ? at : _grants[i - 1];

            for (var first = Math.Max(0, position - limit); first + limit <= _grants.Count && first <= position; first++)
            {
                if (WithNew(first + limit) - WithNew(first) < spacing)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
