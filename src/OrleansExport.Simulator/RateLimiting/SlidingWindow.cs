namespace OrleansExport.Simulator;

/// <summary>The answer of <see cref="SlidingWindow.TryAcquire"/>.</summary>
/// <param name="Admitted">Whether the call fits the window and was recorded.</param>
/// <param name="Remaining">Calls still allowed in the current window after this one.</param>
/// <param name="RetryAfter">When refused: the wait until the oldest recorded call leaves the window.</param>
internal readonly record struct WindowDecision(bool Admitted, int Remaining, TimeSpan RetryAfter);

/// <summary>
/// A true sliding-window log: a call is admitted when fewer than <see cref="Limit"/> calls were admitted in
/// (now - window, now]. Refused calls are not recorded, so a client that keeps retrying is not locked out.
/// </summary>
internal sealed class SlidingWindow
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly long _windowTicks;

    // Ring buffer of admission timestamps, oldest at _head; it never holds more than Limit entries.
    private readonly long[] _admitted;
    private int _head;
    private int _count;

    public SlidingWindow(int limit, TimeSpan window, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _time = time;
        _admitted = new long[limit];
        _windowTicks = Math.Max(1, (long)Math.Ceiling(window.Ticks * (double)time.TimestampFrequency / TimeSpan.TicksPerSecond));
    }

    public int Limit => _admitted.Length;

    public WindowDecision TryAcquire()
    {
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            while (_count > 0 && _admitted[_head] <= now - _windowTicks)
            {
                _head = (_head + 1) % _admitted.Length;
                _count--;
            }

            if (_count == _admitted.Length)
            {
                long wait = _admitted[_head] + _windowTicks - now;
                return new WindowDecision(false, 0, ToTimeSpan(wait));
            }

            _admitted[(_head + _count) % _admitted.Length] = now;
            _count++;
            return new WindowDecision(true, _admitted.Length - _count, TimeSpan.Zero);
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _head = 0;
            _count = 0;
        }
    }

    // Rounded up: a client that waits exactly this long is admitted.
    private TimeSpan ToTimeSpan(long timestampTicks) =>
        TimeSpan.FromTicks((long)Math.Ceiling(timestampTicks * (double)TimeSpan.TicksPerSecond / _time.TimestampFrequency));
}
