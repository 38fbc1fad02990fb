namespace OrleansExport.Grains.Delivery;

/// <summary>
/// Tells when an export's pause of its own (the account refused the key, or its circuit is open) begins and when
/// delivery works again, so that each is announced once however many batches meet it. No Orleans in it.
/// </summary>
public sealed class SelfPauseWatch
{
    private bool _paused;

    /// <returns>True when this starts a pause (it was delivering).</returns>
    public bool Paused()
    {
        var started = !_paused;
        _paused = true;
        return started;
    }

    /// <returns>True when this ends a pause.</returns>
    public bool Delivered()
    {
        var ended = _paused;
        _paused = false;
        return ended;
    }
}
