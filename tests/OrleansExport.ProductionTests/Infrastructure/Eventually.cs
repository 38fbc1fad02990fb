using System.Diagnostics;

namespace OrleansExport.ProductionTests.Infrastructure;

/// <summary>Waits for an eventually consistent outcome, failing with what was last seen.</summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

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
                Assert.Fail($"Timed out after {timeout.TotalSeconds:F0} s waiting for {what}; last seen: {value}");
            }

            await Task.Delay(PollInterval);
        }
    }
}
