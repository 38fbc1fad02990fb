namespace OrleansExport.Simulator;

/// <summary>The account's rate windows, each divided by <see cref="SimulatorOptions.TimeScale"/>.</summary>
internal sealed class RateWindows(SimulatorOptions options, TimeProvider time)
{
    /// <summary>All requests of the account, every endpoint.</summary>
    public SlidingWindow Requests { get; } = new(options.RequestsPerSecond, TimeSpan.FromSeconds(1) / options.TimeScale, time);

    /// <summary>Bulk imports with more than one contact.</summary>
    public SlidingWindow MultiContactImports { get; } = new(options.BulkImportsPerMinute, TimeSpan.FromMinutes(1) / options.TimeScale, time);

    /// <summary>Bulk imports with exactly one contact.</summary>
    public SlidingWindow SingleContactImports { get; } = new(options.SingleContactImportsPerMinute, TimeSpan.FromMinutes(1) / options.TimeScale, time);

    public void Reset()
    {
        Requests.Reset();
        MultiContactImports.Reset();
        SingleContactImports.Reset();
    }
}
