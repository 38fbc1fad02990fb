using System.Diagnostics;

namespace OrleansExport.TestSupport;

/// <summary>Waits for an eventually consistent outcome, failing with what was last seen.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds for its value, and returns that value.</summary>
    public static async Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:F0} s waiting for {what}; last seen: {value}");
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds; the failure tells <paramref name="describe"/>'s state.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<Task<string>>? describe = null)
    {
        try
        {
            await WaitAsync(condition, holds => holds, timeout ?? DefaultTimeout, what);
        }
        catch (TimeoutException) when (describe is not null)
        {
            throw new TimeoutException($"Timed out waiting for {what}. State: {await describe()}");
        }
    }
}
