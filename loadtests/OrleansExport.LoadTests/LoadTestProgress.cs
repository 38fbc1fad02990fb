namespace OrleansExport.LoadTests;

/// <summary>What the live display shows; written by the runner, read by the display.</summary>
public sealed class LoadTestProgress
{
    public volatile string Phase = "starting";
    public long TotalEvents;
    public long EventsPublished;
    public long EventsReceived;
    public long SegmentMembers;
    public long ExpectedMembers;
    public long Members;
    public long Pending;
    public long InSync;
    public long ContactsImported;
    public long BulkImports;
    public long Throttled429;
    public double ElapsedSeconds;

    /// <summary>Called when the phase changes (the plain, non-live output prints it).</summary>
    public event Action<string>? PhaseChanged;

    public void Enter(string phase)
    {
        Phase = phase;
        PhaseChanged?.Invoke(phase);
    }
}
